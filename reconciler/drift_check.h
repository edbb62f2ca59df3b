// A drift check as `harc drift` runs it and `harc watch --drift-every` can:
// observe the selected clusters, compare them with the fleet
// (compiler/drift.h), record the report in the journal and render it. Each
// step is its own function, so a loop can check on its schedule, record every
// report, and write or post it as it likes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "compiler/drift.h"
#include "reconciler/command.h"
#include "reconciler/journal.h"

namespace harc {

enum class DriftFormat { kText, kJson, kMarkdown };

// "text", "json", "markdown".
std::optional<DriftFormat> ParseDriftFormat(std::string_view name);

// Observes the clusters o.clusters names (all when none) as `plan` does, from
// o.observed or over SSH, and compares them with `fleet`; the report is
// stamped checked_at now_ms. Members not observed are named on io.err.
// nullopt (after printing why) when the live state cannot be had at all.
std::optional<DriftReport> CheckDrift(const Options& o, const Fleet& fleet, int64_t now_ms,
                                      Console& io);

// Records the report in the journal: a record per cluster, one check.
JournalStatus RecordDriftReport(Journal& journal, const DriftReport& report, int64_t checked_ms,
                                const std::string& who);

// kUnreachable when a cluster is unobservable (whatever drifted elsewhere),
// else kChanges when one drifted, else kOk.
ExitCode DriftExitCode(const DriftReport& report);

// The report in `format`; `colour` is for text on a terminal.
std::string RenderDrift(const DriftReport& report, DriftFormat format, bool colour);

}  // namespace harc
