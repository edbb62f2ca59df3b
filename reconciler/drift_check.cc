#include "reconciler/drift_check.h"

#include "compiler/drift_json.h"
#include "compiler/drift_markdown.h"
#include "compiler/drift_text.h"
#include "reconciler/time_text.h"

namespace harc {

std::optional<DriftFormat> ParseDriftFormat(std::string_view name) {
  if (name == "text") return DriftFormat::kText;
  if (name == "json") return DriftFormat::kJson;
  if (name == "markdown") return DriftFormat::kMarkdown;
  return std::nullopt;
}

std::optional<DriftReport> CheckDrift(const Options& o, const Fleet& fleet, int64_t now_ms,
                                      Console& io) {
  std::optional<ObservedFleet> observed = Observe(o, fleet, io);
  if (!observed) return std::nullopt;
  DriftReport report = CompareFleet(fleet, *observed, o.clusters);
  report.checked_at = FormatTime(now_ms);
  return report;
}

JournalStatus RecordDriftReport(Journal& journal, const DriftReport& report, int64_t checked_ms,
                                const std::string& who) {
  std::vector<DriftRecord> records;
  for (const ClusterDrift& c : report.clusters)
    records.push_back(DriftRecord{0, checked_ms, c.cluster, DriftStatusName(c.status),
                                  report.commit, who, DriftOneLine(c), ClusterDriftToJson(c)});
  return journal.RecordDrift(&records);
}

ExitCode DriftExitCode(const DriftReport& report) {
  switch (report.Status()) {
    case DriftStatus::kUnobservable: return ExitCode::kUnreachable;
    case DriftStatus::kDrifted: return ExitCode::kChanges;
    case DriftStatus::kInSync: break;
  }
  return ExitCode::kOk;
}

std::string RenderDrift(const DriftReport& report, DriftFormat format, bool colour) {
  switch (format) {
    case DriftFormat::kJson: return DriftToJson(report);
    case DriftFormat::kMarkdown: return RenderDriftMarkdown(report);
    case DriftFormat::kText: break;
  }
  return RenderDriftText(report, colour);
}

}  // namespace harc
