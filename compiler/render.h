// Rendering: turns proven steps into what apply runs. From the platform's
// action it takes the command (values shell-quoted), the condition that proves
// the step took effect and its deadlines; from the cluster model, the guards
// that must still hold on the live cluster before the step may run.
#pragma once

#include <string>
#include <vector>

#include "compiler/model.h"
#include "compiler/plan.h"
#include "compiler/state.h"

namespace harc {

// Fills host, command, guard, until and the timings of every step. Returns
// false with *error naming the step ("step 4 (failover m1): platform 'x' has no
// 'failover' action") when the platform cannot carry a step out.
bool RenderSteps(const Cluster& c, const Platform& p, const ObservedCluster& observed,
                 const ClusterState& initial, std::vector<Step>* steps, std::string* error);

}  // namespace harc
