// The plan as people read it in a terminal: per cluster, each step with its
// member, action, reason and serving count before -> after; refusals with the
// step and rule; unobservable members with why.
#pragma once

#include <string>

#include "compiler/plan.h"

namespace harc {

std::string RenderPlanText(const Plan& plan);

}  // namespace harc
