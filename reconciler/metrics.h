// The Prometheus textfile harc watch writes with --metrics FILE after each
// cycle (for node_exporter's textfile collector; the file is replaced
// atomically, so a scrape never sees half of it):
//
//   harc_cluster_state{cluster,state}        1 for the cluster's newest state
//                                            (pending|planned|applied|held|failed), else 0
//   harc_clusters_held                       clusters held until a person acts
//   harc_cluster_drift{cluster,status}       1 for the newest drift report's status
//                                            (in-sync|drifted|unobservable), else 0
//   harc_cluster_drift_checked_timestamp_seconds{cluster}
//   harc_commit_info{branch,commit,state}    1: the newest commit of the branch
//   harc_last_reconciled_commit_timestamp_seconds{branch}
//                                            when the newest commit that is no
//                                            longer pending was reconciled
//   harc_apply_runs_total{result}            apply runs in the journal, by result
//   harc_watch_last_cycle_timestamp_seconds  when this file was written
#pragma once

#include <cstdint>
#include <string>

#include "reconciler/status.h"

namespace harc {

std::string RenderMetrics(const WatchStatus& s, int64_t now_ms);

}  // namespace harc
