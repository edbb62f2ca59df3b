// harc validate: load and check the fleet repository; print a one-line summary.
#include <algorithm>
#include <ostream>

#include "reconciler/command.h"

namespace harc {
namespace {

// The clusters the options select: the --cluster ones, else all.
std::vector<const Cluster*> Selected(const Options& o, const Fleet& fleet) {
  std::vector<const Cluster*> out;
  for (const Cluster& c : fleet.clusters)
    if (o.clusters.empty() || std::find(o.clusters.begin(), o.clusters.end(), c.name) !=
                                  o.clusters.end())
      out.push_back(&c);
  return out;
}

}  // namespace

ExitCode RunValidate(const Options& o, Console& io) {
  std::optional<Fleet> fleet = LoadSelectedFleet(o, io);
  if (!fleet) return ExitCode::kError;
  std::vector<const Cluster*> clusters = Selected(o, *fleet);
  size_t members = 0;
  for (const Cluster* c : clusters) members += c->members.size();
  io.out << "fleet OK";
  if (!fleet->commit.empty()) io.out << " at " << fleet->commit.substr(0, 12);
  io.out << ": " << Count(clusters.size(), "cluster") << ", " << Count(members, "member") << ", "
         << Count(fleet->platforms.size(), "platform") << "\n";
  return ExitCode::kOk;
}

}  // namespace harc
