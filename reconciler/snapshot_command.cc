// harc snapshot: gather the live state and write it as harc.observed/v1, for
// `plan --observed`, for a ticket, or to compare two moments.
#include <ostream>

#include "compiler/observed.h"
#include "reconciler/atomic_file.h"
#include "reconciler/command.h"

namespace harc {

ExitCode RunSnapshot(const Options& o, Console& io) {
  std::optional<Fleet> fleet = LoadSelectedFleet(o, io);
  if (!fleet) return ExitCode::kError;
  std::optional<ObservedFleet> observed = Observe(o, *fleet, io);
  if (!observed) return ExitCode::kError;
  std::string json = ObservedToJson(*observed);
  std::string error;
  if (o.output.empty() || o.output == "-")
    io.out << json;
  else if (!WriteFileAtomically(o.output, json, &error))
    return PrintError(io, error);
  size_t members = 0, unreachable = 0;
  for (const auto& [name, cluster] : observed->clusters)
    for (const ObservedMember& m : cluster.members) {
      ++members;
      unreachable += !m.reachable;
    }
  io.err << "observed " << Count(members - unreachable, "member") << " of "
         << Count(observed->clusters.size(), "cluster");
  if (unreachable) io.err << "; " << unreachable << " not observed";
  io.err << "\n";
  return unreachable ? ExitCode::kUnreachable : ExitCode::kOk;
}

}  // namespace harc
