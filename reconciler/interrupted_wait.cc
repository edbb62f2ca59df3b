#include "reconciler/interrupted_wait.h"

#include <algorithm>

#include "compiler/compile.h"

namespace harc {
namespace {

// Why `cluster` cannot be observed in `live`; "" when it can.
std::string Unobservable(const Fleet& fleet, const ObservedFleet& live,
                         const std::string& cluster) {
  Plan plan = Compile(fleet, live, CompileOptions{{cluster}});
  if (plan.clusters.empty() || plan.clusters[0].status != ClusterStatus::kUnobservable) return "";
  std::string why;
  for (const std::string& u : plan.clusters[0].unobservable) why += (why.empty() ? "" : "; ") + u;
  return why.empty() ? "not observed" : why;
}

std::string Duration(int64_t ms) {
  return ms % 1000 == 0 ? std::to_string(ms / 1000) + "s" : std::to_string(ms) + "ms";
}

}  // namespace

void AwaitInterruptedSteps(const Fleet& fleet, Journal& journal, Clock& clock,
                           const GatherCluster& gather, ObservedFleet* live, Console& io) {
  std::vector<std::string> names;
  for (const auto& [name, observed] : live->clusters) names.push_back(name);
  for (const std::string& name : names) {
    const Cluster* cluster = fleet.FindCluster(name);
    std::string why = cluster ? Unobservable(fleet, *live, name) : "";
    if (why.empty()) continue;
    std::optional<RunInfo> run;
    std::optional<StepRecord> step;
    if (!journal.Interrupted(name, &run, &step).ok || !run || !step ||
        step->state != StepState::kStarted)
      continue;
    const ActionSpec* action = fleet.platforms.at(cluster->platform).FindAction(step->action);
    int64_t left = action ? step->started_ms + action->timeout_ms - clock.WallMs() : 0;
    if (left <= 0) continue;
    int64_t every = std::max(action->interval_ms, 100);
    io.err << "harc: " << name << ": run " << run->id << " was interrupted at step "
           << step->index << " (" << step->action << " " << step->member
           << "), which may still be running, and the cluster cannot be observed (" << why
           << "): observing it again every " << Duration(every) << " for up to "
           << Duration(left) << "\n";
    int64_t deadline = clock.MonotonicMs() + left;
    do {
      clock.SleepMs(std::min(every, deadline - clock.MonotonicMs()));
      live->clusters[name] = gather(name);
      why = Unobservable(fleet, *live, name);
    } while (!why.empty() && clock.MonotonicMs() < deadline);
    io.err << "harc: " << name << ": "
           << (why.empty() ? "observed" : "still cannot be observed: " + why) << "\n";
  }
}

}  // namespace harc
