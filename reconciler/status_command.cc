// harc status: where harc watch stands (status.h), from the journal.
#include <ostream>

#include "reconciler/command.h"
#include "reconciler/status.h"

namespace harc {

ExitCode RunStatus(const Options& o, Console& io) {
  std::unique_ptr<Journal> journal = OpenJournal(o, true, io);
  if (!journal) return ExitCode::kError;
  WatchStatus status;
  JournalStatus st = ReadWatchStatus(*journal, o.branch, o.limit, &status);
  if (!st.ok) return PrintError(io, st.message);
  io.out << (o.json ? RenderStatusJson(status) : RenderStatusText(status));
  return ExitCode::kOk;
}

}  // namespace harc
