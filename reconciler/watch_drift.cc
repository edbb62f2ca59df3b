// Watcher::DriftCheck: harc watch --drift-every (watch.h).
#include <algorithm>
#include <ostream>

#include "compiler/compile.h"
#include "reconciler/apply_run.h"
#include "reconciler/drift_check.h"
#include "reconciler/time_text.h"
#include "reconciler/watch.h"

namespace harc {
namespace {

// The newest commit of the branch whose fleet was loaded and planned.
const CommitStatus* Reconciled(const std::vector<CommitStatus>& commits) {
  for (const CommitStatus& c : commits)
    if (c.state != ReconcileState::kPending && c.state != ReconcileState::kFailed) return &c;
  return nullptr;
}

ReconcileState StateOf(const std::vector<ClusterCommitStatus>& v, const std::string& cluster) {
  auto it = std::find_if(v.begin(), v.end(),
                         [&](const ClusterCommitStatus& s) { return s.cluster == cluster; });
  return it == v.end() ? ReconcileState::kPending : it->state;
}

}  // namespace

ExitCode Watcher::DriftCheck() {
  WatchLease lease(journal_, clock_, settings_.lease_ttl_ms);
  if (!Taken(lease)) return lease.status().ok ? ExitCode::kLocked : ExitCode::kError;
  std::vector<CommitStatus> commits;
  std::vector<ClusterCommitStatus> newest;
  JournalStatus st = journal_.CommitStatuses(settings_.branch, 0, &commits);
  if (st.ok) st = journal_.ClusterStatuses("", &newest);
  if (!st.ok) {
    Log("drift check: cannot read the journal: " + st.message);
    return ExitCode::kError;
  }
  const CommitStatus* commit = Reconciled(commits);
  if (!commit) {
    Log("drift check: no commit of " + settings_.branch + " reconciled yet");
    return ExitCode::kOk;
  }
  std::string error;
  std::optional<Fleet> fleet = LoadAt(commit->commit, &error);
  if (!fleet) {
    Log("drift check: " + error);
    return ExitCode::kError;
  }
  int64_t now = clock_.WallMs();
  std::optional<DriftReport> report = CheckDrift(LiveOptions(), *fleet, now, io_);
  if (!report) return ExitCode::kError;
  if (st = RecordDriftReport(journal_, *report, now, Who()); !st.ok) Log("warning: " + st.message);
  Log("drift check against " + commit->commit.substr(0, 12) + ":");
  io_.out << RenderDrift(*report, DriftFormat::kText, false) << std::flush;

  std::vector<std::string> drifted;
  std::vector<ClusterCommitStatus> statuses;
  for (const ClusterDrift& c : report->clusters) {
    ReconcileState was = StateOf(newest, c.cluster);
    if (c.status == DriftStatus::kDrifted && was == ReconcileState::kApplied)
      drifted.push_back(c.cluster);
    else if (c.status == DriftStatus::kInSync && was == ReconcileState::kHeld)
      statuses.push_back({commit->commit, c.cluster, ReconcileState::kApplied,
                          "in sync again (seen by a drift check)", 0, 0, now});
  }
  if (!drifted.empty() && !stopping()) {
    Options live = LiveOptions();
    std::unique_ptr<Transport> transport = MakeSshTransport(live, *fleet, io_);
    if (!transport) return ExitCode::kError;
    Plan plan = Compile(*fleet, GatherLive(live, *fleet, drifted, *transport, io_),
                        CompileOptions{drifted});
    plan.commit = commit->commit;
    int64_t run_id = 0;
    Plan chosen = Choose(*fleet, plan, Policy::kAutoCorrect, &statuses);
    if (!chosen.clusters.empty())
      Apply(*fleet, chosen, *transport, "drift corrected", &statuses, &run_id);
  }
  for (const ClusterCommitStatus& s : statuses) Put(s);
  if (!statuses.empty()) {
    CommitStatus updated = *commit;
    Finish(&updated);
  }
  return DriftExitCode(*report);
}

}  // namespace harc
