// Where harc watch stands, read back from the journal, for `harc status`
// (text and JSON) and for the Prometheus textfile (metrics.h): each commit
// of the branch with its state and reason, each cluster's newest state, the
// newest drift report of each cluster, and how apply runs ended.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "reconciler/journal.h"

namespace harc {

struct WatchStatus {
  std::string branch;                         // "" for every branch
  std::vector<CommitStatus> commits;          // newest first
  std::vector<ClusterCommitStatus> clusters;  // each cluster's newest status, by name
  std::vector<DriftRecord> drift;             // each cluster's newest drift record, by name
  std::map<std::string, int> run_results;     // apply runs by result ("converged", ...)
};

// Reads the status of `branch` ("": every branch), its newest `limit`
// commits (all when <= 0).
JournalStatus ReadWatchStatus(Journal& journal, const std::string& branch, int limit,
                              WatchStatus* out);

// The newest commit that is no longer pending; nullptr when none.
const CommitStatus* LastReconciled(const WatchStatus& s);

// For people:
//   Commits on main, newest first:
//     3f2a9c1d07be  applied  2026-01-12T10:31:02Z  Bump keepalived
//         by Alice <alice@example.net>; signed by alice@example.net (ED25519 key SHA256:...)
//         2 clusters applied, 1 planned
//   Clusters:
//     fw-dc    held     3f2a9c1d07be  step 4 (install ...) failed: ...
//   Drift, newest report per cluster:
//     fw-dc    drifted  2026-01-12T11:00:00Z  version hotfix on m1
std::string RenderStatusText(const WatchStatus& s);

// The same as JSON, format "harc.status/v1"; times in RFC 3339 UTC.
std::string RenderStatusJson(const WatchStatus& s);

}  // namespace harc
