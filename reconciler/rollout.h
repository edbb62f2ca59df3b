// The rollout: a whole plan across the fleet (DESIGN.md §5).
//
// - Waves in the order harc.toml lists them (a wave it does not list comes
//   after, in plan order); a wave starts when the one before it has ended.
// - Within a wave, up to max_parallel_clusters clusters at once, on a pool
//   of that many threads.
// - The failure budget: once max_failed_clusters clusters are held, no new
//   cluster starts (in this wave or a later one), and running ones finish
//   the step they are on and hold. Clusters that cannot be worked —
//   unobservable, unsafe, locked — are counted apart and do not spend it.
// - Each cluster is worked under its lease: taken before its first step
//   (refused: the cluster is 'locked', naming the holder; expired, or held
//   by a process of this host that is gone (lease_owner.h): taken over and
//   reported), renewed while it works — at every step and poll by ApplyCluster,
//   and by a background thread while a long command runs — and released at
//   the end, held or not.
// - Before its first step, what an interrupted run was doing on the cluster
//   is reported (ApplyObserver::ClusterNote) and handed to ApplyCluster.
#pragma once

#include <string>
#include <vector>

#include "compiler/model.h"
#include "compiler/plan.h"
#include "reconciler/apply.h"
#include "reconciler/clock.h"
#include "reconciler/exit_codes.h"
#include "reconciler/journal.h"
#include "reconciler/transport.h"

namespace harc {

struct RolloutOptions {
  std::vector<std::string> waves = {"canary", "default"};  // harc.toml [rollout]
  int max_parallel_clusters = 8;
  int max_failed_clusters = 1;
  std::string owner;  // who takes the leases: FormatOwner (lease_owner.h)
  // How often (real time) the background thread renews the leases; 0: ttl/3.
  int64_t renew_every_ms = 0;
  // Per cluster; `interrupted` is filled by the rollout. `stop` is also where
  // the failure budget asks running clusters to stop (none: the rollout
  // makes its own).
  ApplyOptions apply;
};

struct RolloutResult {
  std::vector<ClusterResult> clusters;  // one per cluster of the plan, in plan order
  bool interrupted = false;             // a signal asked the run to stop
  int Count(Outcome o) const;
};

// Carries `plan` out. `fleet` says how to reach each cluster's members and
// read their facts. Clusters in sync are converged without a lease or a
// probe; unsafe and unobservable ones are not applied.
// REQUIRES: every cluster of the plan is in `fleet`, with its platform.
RolloutResult Rollout(const Plan& plan, const Fleet& fleet, Transport& transport,
                      Journal& journal, Clock& clock, const RolloutOptions& options);

// DESIGN.md §6 for apply, the first that applies: 4 held (a step failed, or
// the run was interrupted), 5 locked, 3 unsafe, 7 unobservable, 0 converged.
ExitCode RolloutExitCode(const RolloutResult& result);

// "converged", "held", ... as the run's result in the journal.
std::string RunResultName(const RolloutResult& result);

}  // namespace harc
