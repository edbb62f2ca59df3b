// Strategies: the vendor procedures of DESIGN.md §1 as code. Each orders a
// cluster's diff into candidate steps (unrendered: action, member, reason);
// proof.h then decides whether the candidate is safe. A closed set chosen by
// the platform's `strategy`, no registry.
//
// Every strategy runs from any observed state, including the half-way states an
// interrupted run leaves (members down, out of the cluster, versions mixed): a
// step is emitted only where its result does not hold yet.
#pragma once

#include <vector>

#include "compiler/diff.h"
#include "compiler/model.h"
#include "compiler/plan.h"
#include "compiler/state.h"

namespace harc {

// The steps that take cluster c from `live` to its desired state, in order.
// Empty when diff is empty.
std::vector<Step> PlanSteps(const Cluster& c, const Platform& p, const ClusterState& live,
                            const ClusterDiff& diff);

// Splits `targets` (member names) into logical groups. Members already `out`
// of service (an interrupted run) and not in an explicit group form the first
// group; then the explicit groups of ha.groups, those holding an `out` member
// first; then the rest in groups of at most `cap`, spreading sites across
// groups (round-robin over members sorted by site).
std::vector<std::vector<std::string>> MakeGroups(const Cluster& c,
                                                 const std::vector<std::string>& targets,
                                                 const std::vector<std::string>& out, int cap);

}  // namespace harc
