// `harc drift --since 7d`: from the drift reports in the journal, when each
// cluster drifted and when it was corrected. Pure: journal records in, a
// summary out, and its renderings (text, Markdown, and JSON in the
// harc.drift-history/v1 format of schemas/drift.schema.json).
//
// A cluster has drifted from the first report that found a difference (a
// drifted cluster, or an unobservable one with differences among the members
// seen) until the first later report that found it in sync: that report
// corrected it. A report that could not observe it and found nothing neither
// starts nor ends a drift. The newest report before the window says whether a
// cluster entered the window drifted.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "reconciler/journal.h"

namespace harc {

struct DriftEpisode {
  int64_t drifted_ms = 0;      // the first report that found it
  bool before_window = false;  // that report is older than the window
  int64_t corrected_ms = 0;    // the first later report in sync; 0: still drifted
  std::string summary;         // what drifted, as the first report found it
};

struct ClusterDriftHistory {
  std::string cluster;
  int reports = 0;       // reports in the window that checked it
  int unobservable = 0;  // of those, the ones that could not observe it whole
  std::string status;    // in its newest report: "in-sync", "drifted", "unobservable"
  std::vector<DriftEpisode> episodes;  // oldest first
};

struct DriftHistory {
  static constexpr const char* kFormat = "harc.drift-history/v1";
  int64_t since_ms = 0;
  int64_t until_ms = 0;
  int reports = 0;                            // drift reports in the window
  std::vector<ClusterDriftHistory> clusters;  // by name
};

// REQUIRES: records as Journal::DriftSince(since_ms) returns them. Only the
// clusters named in `clusters` (all when empty).
DriftHistory SummariseDrift(const std::vector<DriftRecord>& records, int64_t since_ms,
                            int64_t until_ms, const std::vector<std::string>& clusters);

// Text:
//   Drift from 2026-01-05T10:31:02Z to 2026-01-12T10:31:02Z: 4 reports.
//   fw-dc: 4 reports, 1 unobservable, in sync now
//   gw-east: 4 reports, drifted once, in sync now
//     drifted 2026-01-12T10:31:02Z, corrected 2026-01-12T10:45:00Z after 13m58s: role down on m2
//   lb-edge: 4 reports, drifted once, drifted now
//     drifted 2026-01-04T08:00:00Z (before the window), not corrected: setting preempt on lb-1
// Markdown: a table with a row per drift.
std::string RenderDriftHistoryText(const DriftHistory& h);
std::string RenderDriftHistoryMarkdown(const DriftHistory& h);
std::string RenderDriftHistoryJson(const DriftHistory& h);

}  // namespace harc
