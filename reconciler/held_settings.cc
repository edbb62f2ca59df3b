#include "reconciler/held_settings.h"

#include <algorithm>

namespace harc {
namespace {

// The observed value of `fact` on cluster/member; nullptr when not seen.
const std::string* Observed(const ObservedFleet& observed, const std::string& cluster,
                            const std::string& member, const std::string& fact) {
  auto c = observed.clusters.find(cluster);
  if (c == observed.clusters.end()) return nullptr;
  const ObservedMember* m = c->second.FindMember(member);
  if (!m || !m->reachable) return nullptr;
  auto f = m->facts.find(fact);
  return f == m->facts.end() ? nullptr : &f->second;
}

}  // namespace

bool ReadHeldSettings(Journal* journal, std::vector<HeldSetting>* out, Console& io) {
  out->clear();
  if (!journal) return true;
  JournalStatus status = journal->Held(out);
  if (!status.ok) PrintError(io, status.message);
  return status.ok;
}

void DesireHeldSettings(const std::vector<HeldSetting>& held, const ObservedFleet& observed,
                        Fleet* fleet) {
  for (const HeldSetting& h : held) {
    auto c = std::find_if(fleet->clusters.begin(), fleet->clusters.end(),
                          [&](const Cluster& x) { return x.name == h.cluster; });
    if (c == fleet->clusters.end() || c->settings.count(h.setting)) continue;
    auto m = std::find_if(c->members.begin(), c->members.end(),
                          [&](const Member& x) { return x.name == h.member; });
    if (m == c->members.end() || m->settings.count(h.setting)) continue;
    const Platform& p = fleet->platforms.at(c->platform);
    auto run_value = p.run_settings.find(h.setting);
    const std::string* now = Observed(observed, h.cluster, h.member, "setting." + h.setting);
    if (run_value != p.run_settings.end() && now && *now == run_value->second)
      m->settings[h.setting] = h.original;
  }
}

}  // namespace harc
