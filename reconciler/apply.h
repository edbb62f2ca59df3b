// Applying one cluster's plan (DESIGN.md §5): the steps in order, each one
// checked against the live cluster just before it runs, journaled before and
// after, and proven by its `until` condition before the next one starts.
//
// For each step:
//  1. the lease must still be ours (Journal::Heartbeat); lost: stop at once;
//  2. a stop asked for (failure budget spent, SIGINT/SIGTERM): hold here;
//  3. re-probe what the step depends on: its guards (which may name a peer)
//     and its `until` fact, one round trip per member (probe.h);
//  4. `until` already holds: the step is recorded skipped and nothing is sent
//     (so a converged cluster gets probes only, and a re-run resumes);
//  5. a guard does not hold: hold, naming member, fact, expected and actual;
//  6. journal 'started', send the command, journal 'done' or 'failed' with
//     the exit status and the output's tail; a non-zero exit holds (a step
//     holding a setting for the run first journals the value it replaces,
//     which a restore done or skipped clears: Journal::RecordHeld);
//  7. poll `until` every interval_ms until it has held for stable_ms in a
//     row; past timeout_ms (counted from the command's start) it holds.
// A held cluster stays held: nothing auto-continues. A re-run compiles a new
// plan from the live state and resumes from there.
//
// Resuming after a crash: when the run that last worked the cluster was
// killed with a step 'started' (its command perhaps still running on the
// member), the same step in this plan first waits, within what was left of
// that step's deadline, for its `until` instead of sending the command again.
// A backup that run took stands (ApplyOptions::backed_up_by).
#pragma once

#include <atomic>
#include <optional>
#include <string>

#include "compiler/model.h"
#include "compiler/plan.h"
#include "reconciler/clock.h"
#include "reconciler/journal.h"
#include "reconciler/probe.h"
#include "reconciler/transport.h"

namespace harc {

// How a cluster ended, for the summary and the exit code.
enum class Outcome {
  kConverged,     // every step done or skipped (or nothing to do)
  kHeld,          // stopped at a step: failed, timed out, guard, lease lost, stop asked
  kLocked,        // another run holds its lease
  kUnsafe,        // the plan refused it: not applied
  kUnobservable,  // members could not be observed: not applied
  kNotStarted,    // failure budget spent, or interrupted, before it started
};

// "converged", "held", "locked", "unsafe", "unobservable", "not started".
const char* OutcomeName(Outcome o);

struct ClusterResult {
  std::string cluster;
  std::string wave;
  Outcome outcome = Outcome::kConverged;
  std::string reason;  // held, unsafe, unobservable, not started: why; locked: the holder
  int steps = 0;       // in the plan
  int ran = 0;         // commands sent
  int skipped = 0;     // already held their result
  int held_at = 0;     // 1-based step where it was held; 0: none
};

// A request that running clusters stop: after the step they are on (failure
// budget spent; the first SIGINT/SIGTERM) or also stop waiting for that
// step's condition (a second signal; a command is never cut off). The
// Request* calls are lock-free atomic operations, so a signal handler may
// make them.
class StopSignal {
 public:
  enum Level { kNone = 0, kAfterStep = 1, kNow = 2 };

  void RequestBudgetStop() { budget_.store(true); }
  void RequestFromSignal(int signo) {
    signo_.store(signo);
    signals_.fetch_add(1);
  }

  Level level() const {
    int n = signals_.load();
    if (n >= 2) return kNow;
    return n == 1 || budget_.load() ? kAfterStep : kNone;
  }
  bool interrupted() const { return signals_.load() > 0; }
  // "interrupted (SIGINT)", "failure budget spent"; "" when none.
  std::string reason() const;

 private:
  static_assert(std::atomic<int>::is_always_lock_free && std::atomic<bool>::is_always_lock_free);
  std::atomic<int> signals_{0};
  std::atomic<int> signo_{0};
  std::atomic<bool> budget_{false};
};

// What apply is doing, as it happens (progress.h draws it). Called from the
// threads that apply clusters: implementations must be thread-safe.
enum class StepPhase { kRunning, kWaiting, kDone, kSkipped, kFailed };

struct StepEvent {
  std::string cluster;
  std::string wave;
  int index = 0;  // 1-based
  int count = 0;
  const Step* step = nullptr;
  StepPhase phase = StepPhase::kRunning;
  std::string detail;  // waiting: the condition; skipped, failed: why
  int exit_status = -1;
};

class ApplyObserver {
 public:
  virtual ~ApplyObserver() = default;
  virtual void ClusterStarted(const ClusterPlan& /*plan*/) {}
  virtual void OnStep(const StepEvent& /*event*/) {}
  // Something worth saying about a cluster: a lease taken over, a resume.
  virtual void ClusterNote(const std::string& /*cluster*/, const std::string& /*note*/) {}
  virtual void ClusterEnded(const ClusterResult& /*result*/) {}
};

struct ApplyOptions {
  int64_t run_id = 0;
  int64_t lease_ttl_ms = 120'000;  // each heartbeat extends the lease by this much
  ProbeOptions probe;
  size_t max_output = 1 << 20;     // kept of a command's stdout, and of its stderr
  size_t output_tail = 4096;       // journaled of a command's output
  StopSignal* stop = nullptr;          // none: never asked to stop
  ApplyObserver* observer = nullptr;   // none: silent
  // The step an interrupted run was on, for this cluster (Journal::Interrupted).
  std::optional<StepRecord> interrupted;
  // That run had backed the cluster up (before its first change): this
  // run's backup is skipped, so that it does not overwrite the backup of the
  // cluster as it was with one of a half-changed cluster. 0: it had not.
  int64_t backed_up_by = 0;
};

// Applies `plan` (status kChanges) to its cluster. `cluster` and `platform`
// say how to reach the members and read their facts.
// REQUIRES: `lease` is the cluster's lease, taken by the caller, who also
// releases it afterwards.
ClusterResult ApplyCluster(const ClusterPlan& plan, const Cluster& cluster,
                           const Platform& platform, Transport& transport, Journal& journal,
                           Clock& clock, const Lease& lease, const ApplyOptions& options);

// "install hotfix R81.20_T89 on m2", "failover m1 -> m2", "drain m2".
std::string StepWhat(const Step& s);
// "step 4 (install hotfix R81.20_T89 on m2)".
std::string StepLabel(int index, const Step& s);

}  // namespace harc
