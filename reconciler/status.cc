#include "reconciler/status.h"

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>

#include "reconciler/time_text.h"

namespace harc {
namespace {

using json = nlohmann::ordered_json;

std::string Abbrev(const std::string& hash) { return hash.substr(0, 12); }

std::string Pad(const std::string& s, size_t width) {
  return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

std::string StateName(ReconcileState s) { return ReconcileStateName(s); }

void CommitText(const CommitStatus& c, std::string* out) {
  *out += "  " + Abbrev(c.commit) + "  " + Pad(StateName(c.state), 7) + "  " +
          FormatTime(c.updated_ms) + "  " + c.subject + "\n";
  *out += "      by " + c.author;
  if (!c.signer.empty()) *out += "; signed by " + c.signer;
  if (c.run_id) *out += "; run " + std::to_string(c.run_id);
  *out += "\n";
  if (!c.reason.empty()) *out += "      " + c.reason + "\n";
}

void ClustersText(const WatchStatus& s, std::string* out) {
  size_t width = 0;
  for (const ClusterCommitStatus& c : s.clusters) width = std::max(width, c.cluster.size());
  *out += "Clusters:\n";
  for (const ClusterCommitStatus& c : s.clusters)
    *out += "  " + Pad(c.cluster, width) + "  " + Pad(StateName(c.state), 7) + "  " +
            Abbrev(c.commit) + "  " + FormatTime(c.updated_ms) +
            (c.reason.empty() ? "" : "  " + c.reason) + "\n";
}

void DriftText(const WatchStatus& s, std::string* out) {
  size_t width = 0;
  for (const DriftRecord& d : s.drift) width = std::max(width, d.cluster.size());
  *out += "Drift, newest report per cluster:\n";
  for (const DriftRecord& d : s.drift)
    *out += "  " + Pad(d.cluster, width) + "  " + Pad(d.status, 12) + "  " +
            FormatTime(d.checked_ms) + (d.summary.empty() ? "" : "  " + d.summary) + "\n";
}

}  // namespace

JournalStatus ReadWatchStatus(Journal& journal, const std::string& branch, int limit,
                              WatchStatus* out) {
  *out = WatchStatus{};
  out->branch = branch;
  JournalStatus st = journal.CommitStatuses(branch, limit, &out->commits);
  if (st.ok) st = journal.ClusterStatuses("", &out->clusters);
  // Records before "the end of time" and none after: the newest of each cluster.
  if (st.ok) st = journal.DriftSince(std::numeric_limits<int64_t>::max(), &out->drift);
  std::vector<RunInfo> runs;
  if (st.ok) st = journal.Runs(0, &runs);
  for (const RunInfo& r : runs) ++out->run_results[r.ended_ms == 0 ? "unfinished" : r.result];
  return st;
}

const CommitStatus* LastReconciled(const WatchStatus& s) {
  for (const CommitStatus& c : s.commits)
    if (c.state != ReconcileState::kPending) return &c;
  return nullptr;
}

std::string RenderStatusText(const WatchStatus& s) {
  std::string out;
  if (s.commits.empty()) {
    out += "No commit reconciled yet" + (s.branch.empty() ? "" : " on " + s.branch) + ".\n";
  } else {
    out += "Commits" + (s.branch.empty() ? "" : " on " + s.branch) + ", newest first:\n";
    for (const CommitStatus& c : s.commits) CommitText(c, &out);
  }
  if (!s.clusters.empty()) ClustersText(s, &out);
  if (!s.drift.empty()) DriftText(s, &out);
  return out;
}

std::string RenderStatusJson(const WatchStatus& s) {
  json j;
  j["format"] = "harc.status/v1";
  j["branch"] = s.branch;
  j["commits"] = json::array();
  for (const CommitStatus& c : s.commits)
    j["commits"].push_back({{"commit", c.commit},
                            {"branch", c.branch},
                            {"subject", c.subject},
                            {"author", c.author},
                            {"committed", FormatTime(c.committed_ms)},
                            {"signer", c.signer},
                            {"state", StateName(c.state)},
                            {"reason", c.reason},
                            {"run", c.run_id},
                            {"seen", FormatTime(c.seen_ms)},
                            {"updated", FormatTime(c.updated_ms)}});
  j["clusters"] = json::array();
  for (const ClusterCommitStatus& c : s.clusters)
    j["clusters"].push_back({{"cluster", c.cluster},
                             {"commit", c.commit},
                             {"state", StateName(c.state)},
                             {"reason", c.reason},
                             {"steps", c.steps},
                             {"run", c.run_id},
                             {"updated", FormatTime(c.updated_ms)}});
  j["drift"] = json::array();
  for (const DriftRecord& d : s.drift)
    j["drift"].push_back({{"cluster", d.cluster},
                          {"status", d.status},
                          {"checked", FormatTime(d.checked_ms)},
                          {"commit", d.commit},
                          {"summary", d.summary}});
  return j.dump(2) + "\n";
}

}  // namespace harc
