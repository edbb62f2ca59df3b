// The proof: replays a candidate plan on the cluster model and checks, before
// and after every step, the rules every vendor manual repeats (DESIGN.md §4).
// A plan that breaks one is refused, naming the step and the rule. It does not
// trust the strategy that made the plan: it sees only the steps.
//
// Rules (Refusal::rule):
//   backup-first       a backup precedes the first change
//   disruption         a disruptive step without ha.allow_disruption
//   serving-member     install or leave on a member that is in service
//   failover-target    failover from a non-active, or to a peer that is not
//                      an up, synced standby
//   join-version       a member joins at a version the cluster does not run
//   all-at-once        a step leaves no member of the cluster in service
//   min-serving        fewer than ha.min_serving members in service
//   traffic-moved      the active went down and no peer took over its traffic
//   max-unavailable    more than ha.max_unavailable members out of service
//   version-skew       more than two versions of a component in the cluster,
//                      or two among up members where the platform forbids it
//   temporary-restored a setting held for the run is not restored at the end
//   final-state        the end state is not the desired state
// A rule already broken in the observed state (an interrupted run) does not
// refuse steps that do not make it worse: that is how a plan recovers.
#pragma once

#include <optional>
#include <vector>

#include "compiler/model.h"
#include "compiler/plan.h"
#include "compiler/state.h"

namespace harc {

// Checks `steps` from `initial`; fills each step's serving_before/after.
// Returns the first broken rule, or nothing when the plan is safe.
std::optional<Refusal> Prove(const Cluster& c, const Platform& p, const ClusterState& initial,
                             std::vector<Step>* steps);

}  // namespace harc
