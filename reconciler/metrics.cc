#include "reconciler/metrics.h"

#include <fmt/format.h>

#include <algorithm>

namespace harc {
namespace {

// A label value with \, " and newline escaped, as the exposition format wants.
std::string Label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    out += c == '\n' ? std::string("\\n") : std::string(1, c);
  }
  return "\"" + out + "\"";
}

std::string Seconds(int64_t ms) { return fmt::format("{:.3f}", static_cast<double>(ms) / 1000); }

void Header(std::string* out, const char* name, const char* type, const char* help) {
  *out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

void ClusterStates(const WatchStatus& s, std::string* out) {
  Header(out, "harc_cluster_state", "gauge",
         "1 for the state of the cluster at its newest reconciled commit, else 0.");
  for (const ClusterCommitStatus& c : s.clusters)
    for (ReconcileState st : {ReconcileState::kPending, ReconcileState::kPlanned,
                              ReconcileState::kApplied, ReconcileState::kHeld,
                              ReconcileState::kFailed})
      *out += fmt::format("harc_cluster_state{{cluster={},state={}}} {}\n", Label(c.cluster),
                          Label(ReconcileStateName(st)), c.state == st ? 1 : 0);
  Header(out, "harc_clusters_held", "gauge", "Clusters held until a person acts.");
  *out += fmt::format("harc_clusters_held {}\n",
                      std::count_if(s.clusters.begin(), s.clusters.end(), [](const auto& c) {
                        return c.state == ReconcileState::kHeld;
                      }));
}

void Drift(const WatchStatus& s, std::string* out) {
  Header(out, "harc_cluster_drift", "gauge",
         "1 for the status the newest drift report found the cluster in, else 0.");
  for (const DriftRecord& d : s.drift)
    for (const char* status : {"in-sync", "drifted", "unobservable"})
      *out += fmt::format("harc_cluster_drift{{cluster={},status={}}} {}\n", Label(d.cluster),
                          Label(status), d.status == status ? 1 : 0);
  Header(out, "harc_cluster_drift_checked_timestamp_seconds", "gauge",
         "When the newest drift report checked the cluster.");
  for (const DriftRecord& d : s.drift)
    *out += fmt::format("harc_cluster_drift_checked_timestamp_seconds{{cluster={}}} {}\n",
                        Label(d.cluster), Seconds(d.checked_ms));
}

void Commits(const WatchStatus& s, std::string* out) {
  Header(out, "harc_commit_info", "gauge", "The newest commit of the branch, and its state.");
  if (!s.commits.empty()) {
    const CommitStatus& c = s.commits.front();
    *out += fmt::format("harc_commit_info{{branch={},commit={},state={}}} 1\n", Label(c.branch),
                        Label(c.commit), Label(ReconcileStateName(c.state)));
  }
  Header(out, "harc_last_reconciled_commit_timestamp_seconds", "gauge",
         "When the newest commit that is no longer pending was reconciled.");
  if (const CommitStatus* c = LastReconciled(s))
    *out += fmt::format("harc_last_reconciled_commit_timestamp_seconds{{branch={}}} {}\n",
                        Label(c->branch), Seconds(c->updated_ms));
}

void Runs(const WatchStatus& s, std::string* out) {
  Header(out, "harc_apply_runs_total", "counter", "Apply runs in the journal, by result.");
  for (const auto& [result, n] : s.run_results)
    *out += fmt::format("harc_apply_runs_total{{result={}}} {}\n", Label(result), n);
}

}  // namespace

std::string RenderMetrics(const WatchStatus& s, int64_t now_ms) {
  std::string out;
  ClusterStates(s, &out);
  Drift(s, &out);
  Commits(s, &out);
  Runs(s, &out);
  Header(&out, "harc_watch_last_cycle_timestamp_seconds", "gauge",
         "When harc watch last finished a cycle.");
  out += fmt::format("harc_watch_last_cycle_timestamp_seconds {}\n", Seconds(now_ms));
  return out;
}

}  // namespace harc
