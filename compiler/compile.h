// The compiler's entry point: desired fleet + observed state -> proven plan.
// Pure. Per cluster: diff (diff.h), order the steps by the platform's strategy
// (strategy.h), render commands and conditions (render.h), then prove the plan
// keeps every invariant at every step (proof.h). A cluster whose candidate plan
// breaks a rule gets ClusterStatus::kUnsafe with the refusal, never a plan.
#pragma once

#include <string>
#include <vector>

#include "compiler/model.h"
#include "compiler/plan.h"

namespace harc {

struct CompileOptions {
  std::vector<std::string> clusters;  // only these (empty: all)
};

// REQUIRES: fleet was loaded without errors (LoadFleet), so every cluster's
// platform exists and every name is safe.
Plan Compile(const Fleet& fleet, const ObservedFleet& observed, const CompileOptions& options);

}  // namespace harc
