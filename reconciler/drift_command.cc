// harc drift: compare the live fleet with the declared one and report it as
// text, JSON (harc.drift/v1) or Markdown, recording each report of the live
// fleet in the journal; exit 0 in sync, 2 drifted, 7 unobservable. With
// --since, summarise the journal's reports instead (drift_history.h), without
// gathering.
#include <unistd.h>

#include <cstdlib>
#include <ostream>

#include "compiler/diag.h"
#include "reconciler/atomic_file.h"
#include "reconciler/clock.h"
#include "reconciler/command.h"
#include "reconciler/drift_check.h"
#include "reconciler/drift_history.h"
#include "reconciler/time_text.h"

namespace harc {
namespace {

// Colour only for a person at a terminal, unless they set NO_COLOR (no-color.org).
bool Colour(const Options& o) {
  const char* no_color = std::getenv("NO_COLOR");
  return o.output.empty() && ::isatty(STDOUT_FILENO) && !(no_color && *no_color);
}

// To -o FILE, atomically, or to standard output.
ExitCode Emit(const Options& o, const std::string& text, Console& io) {
  std::string error;
  if (o.output.empty() || o.output == "-")
    io.out << text;
  else if (!WriteFileAtomically(o.output, text, &error))
    return PrintError(io, error);
  return ExitCode::kOk;
}

// The report of a snapshot (--observed) is not recorded: the journal tells
// what the live fleet was like when, and a snapshot's moment is unknown.
void Record(const Options& o, const DriftReport& report, int64_t now_ms, Console& io) {
  if (!o.observed.empty()) return;
  std::unique_ptr<Journal> journal = OpenJournal(o, false, io);  // says why it cannot
  JournalStatus st;
  if (journal && !(st = RecordDriftReport(*journal, report, now_ms, Who())).ok)
    io.err << "harc: warning: " << st.message << "\n";
  if (!journal || !st.ok) io.err << "harc: warning: this report is not in the journal\n";
}

std::string RenderHistory(const DriftHistory& h, DriftFormat format) {
  switch (format) {
    case DriftFormat::kJson: return RenderDriftHistoryJson(h);
    case DriftFormat::kMarkdown: return RenderDriftHistoryMarkdown(h);
    case DriftFormat::kText: break;
  }
  return RenderDriftHistoryText(h);
}

ExitCode RunDriftSince(const Options& o, DriftFormat format, Console& io) {
  int64_t window = 0;
  if (!ParseDuration(o.since, &window))
    return PrintError(io, "invalid --since " + QuoteForMessage(o.since) +
                              ": expected a whole number and s, m, h, d or w (\"7d\")");
  std::unique_ptr<Journal> journal = OpenJournal(o, true, io);
  if (!journal) return ExitCode::kError;
  const int64_t now = SystemClock().WallMs();
  std::vector<DriftRecord> records;
  JournalStatus st = journal->DriftSince(now - window, &records);
  if (!st.ok) return PrintError(io, st.message);
  return Emit(o, RenderHistory(SummariseDrift(records, now - window, now, o.clusters), format), io);
}

}  // namespace

ExitCode RunDrift(const Options& o, Console& io) {
  const DriftFormat format = ParseDriftFormat(o.format).value_or(DriftFormat::kText);
  if (!o.since.empty()) return RunDriftSince(o, format, io);
  std::optional<Fleet> fleet = LoadSelectedFleet(o, io);
  if (!fleet) return ExitCode::kError;
  const int64_t now = SystemClock().WallMs();
  std::optional<DriftReport> report = CheckDrift(o, *fleet, now, io);
  if (!report) return ExitCode::kError;
  Record(o, *report, now, io);
  if (ExitCode written = Emit(o, RenderDrift(*report, format, Colour(o)), io);
      written != ExitCode::kOk)
    return written;
  if (!o.output.empty() && o.output != "-")
    io.err << "drift: " << report->Count(DriftStatus::kDrifted) << " drifted, "
           << report->Count(DriftStatus::kInSync) << " in sync, "
           << report->Count(DriftStatus::kUnobservable) << " unobservable; report written to "
           << o.output << "\n";
  return DriftExitCode(*report);
}

}  // namespace harc
