// The comparison reuses the planner's view of a cluster: StateFromObserved
// models the members, Diff finds what a plan would change (versions, settings,
// membership, members to bring up); drift regroups that by class and subject
// and adds what a plan does not act on: role anomalies of the cluster as a
// whole and divergence between members where the file declares nothing.
#include "compiler/drift.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "compiler/diff.h"
#include "compiler/state.h"

namespace harc {

namespace {

constexpr const char* kStatusNames[] = {"in-sync", "drifted", "unobservable"};

// Items keyed by (class, subject), so they come out in the report's order.
class Items {
 public:
  void Add(DriftClass cls, std::string_view subject, DriftValue v) {
    items_[{cls, std::string(subject)}].push_back(std::move(v));
  }
  std::vector<DriftItem> Take() {
    std::vector<DriftItem> out;
    for (auto& [key, members] : items_) out.push_back({key.first, key.second, std::move(members)});
    return out;
  }

 private:
  std::map<std::pair<DriftClass, std::string>, std::vector<DriftValue>> items_;
};

void AddDiff(const ClusterDiff& diff, Items* items) {
  for (const MemberDiff& d : diff.members) {
    for (const VersionChange& v : d.installs)
      items->Add(DriftClass::kVersion, v.component, {d.member, v.to, v.from});
    for (const SettingChange& s : d.settings)
      items->Add(DriftClass::kSetting, s.setting, {d.member, s.to, s.from});
    if (d.join) items->Add(DriftClass::kMembership, kMissingMember, {d.member, "true", "false"});
    if (d.remove) items->Add(DriftClass::kMembership, kExtraMember, {d.member, "false", "true"});
    if (d.bring_up) items->Add(DriftClass::kRole, kMemberDown, {d.member, "", "down"});
  }
}

// Of the cluster as a whole. `whole`: every member was seen.
void AddRoleAnomalies(const Platform& p, const ClusterState& live, bool whole, Items* items) {
  const bool none_serves = p.active_standby ? live.ActiveCount() == 0 : live.Serving() == 0;
  if (whole && none_serves)
    for (const MemberState& m : live.members)
      items->Add(DriftClass::kRole, kNoServing, {m.name, "", RoleName(m.role)});
  if (p.active_standby && live.ActiveCount() > 1)
    for (const MemberState& m : live.members)
      if (m.Up() && m.role == Role::kActive)
        items->Add(DriftClass::kRole, kMultipleActive, {m.name, "", "active"});
}

// The in-cluster members' values of `fact` when they are not all the same.
template <typename ValueOf>
void AddIfDivergent(const ClusterState& live, const std::string& fact, ValueOf value_of,
                    Items* items) {
  std::set<std::string> values;
  for (const MemberState& m : live.members)
    if (m.in_cluster) values.insert(value_of(m));
  if (values.size() < 2) return;
  for (const MemberState& m : live.members)
    if (m.in_cluster) items->Add(DriftClass::kDivergence, fact, {m.name, "", value_of(m)});
}

// Settings that neither the cluster nor any member of it declares.
std::set<std::string> UndeclaredSettings(const Cluster& c, const ClusterState& live) {
  std::set<std::string> out;
  for (const MemberState& m : live.members)
    for (const auto& [setting, value] : m.settings) out.insert(setting);
  for (const auto& [setting, value] : c.settings) out.erase(setting);
  for (const Member& m : c.members)
    for (const auto& [setting, value] : m.settings) out.erase(setting);
  return out;
}

std::string ValueOr(const std::map<std::string, std::string>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? "" : it->second;
}

void AddDivergence(const Cluster& c, const Platform& p, const ClusterState& live, Items* items) {
  for (const std::string& comp : p.components)
    if (!c.software.count(comp))
      AddIfDivergent(live, "version." + comp,
                     [&](const MemberState& m) { return ValueOr(m.versions, comp); }, items);
  for (const std::string& setting : UndeclaredSettings(c, live))
    AddIfDivergent(live, "setting." + setting,
                   [&](const MemberState& m) { return ValueOr(m.settings, setting); }, items);
  for (const MemberState& m : live.members)
    if (m.Up() && !m.synced)
      items->Add(DriftClass::kDivergence, kNotInSync, {m.name, "true", "false"});
}

}  // namespace

const char* DriftClassName(DriftClass c) {
  switch (c) {
    case DriftClass::kVersion: return "version";
    case DriftClass::kMembership: return "membership";
    case DriftClass::kSetting: return "setting";
    case DriftClass::kRole: return "role";
    case DriftClass::kDivergence: return "divergence";
  }
  return "?";
}

const char* DriftStatusName(DriftStatus s) { return kStatusNames[static_cast<int>(s)]; }

std::optional<DriftStatus> ParseDriftStatus(std::string_view s) {
  for (DriftStatus d : {DriftStatus::kInSync, DriftStatus::kDrifted, DriftStatus::kUnobservable})
    if (s == DriftStatusName(d)) return d;
  return std::nullopt;
}

DriftStatus DriftReport::Status() const {
  if (Count(DriftStatus::kUnobservable)) return DriftStatus::kUnobservable;
  return Count(DriftStatus::kDrifted) ? DriftStatus::kDrifted : DriftStatus::kInSync;
}

size_t DriftReport::Count(DriftStatus s) const {
  return static_cast<size_t>(std::count_if(clusters.begin(), clusters.end(),
                                           [s](const ClusterDrift& c) { return c.status == s; }));
}

ClusterDrift CompareCluster(const Cluster& c, const Platform& p, const ObservedCluster* observed) {
  ClusterDrift out{c.name, c.platform, c.wave, DriftStatus::kInSync, {}, {}};
  ClusterState live;
  const bool whole = StateFromObserved(c, p, observed, &live, &out.unobservable);
  Items items;
  AddDiff(Diff(c, p, live), &items);
  AddRoleAnomalies(p, live, whole, &items);
  AddDivergence(c, p, live, &items);
  out.items = items.Take();
  if (!whole)
    out.status = DriftStatus::kUnobservable;
  else if (!out.items.empty())
    out.status = DriftStatus::kDrifted;
  return out;
}

DriftReport CompareFleet(const Fleet& fleet, const ObservedFleet& observed,
                         const std::vector<std::string>& clusters) {
  DriftReport report;
  report.commit = fleet.commit;
  for (const Cluster& c : fleet.clusters) {
    if (!clusters.empty() && std::find(clusters.begin(), clusters.end(), c.name) == clusters.end())
      continue;
    auto oc = observed.clusters.find(c.name);
    report.clusters.push_back(CompareCluster(
        c, fleet.platforms.at(c.platform), oc == observed.clusters.end() ? nullptr : &oc->second));
  }
  return report;
}

std::string DriftOneLine(const ClusterDrift& c) {
  std::string out;
  for (const DriftItem& item : c.items) {
    if (!out.empty()) out += "; ";
    out += std::string(DriftClassName(item.cls)) + " " + item.subject + " on ";
    for (size_t i = 0; i < item.members.size(); ++i)
      out += (i ? ", " : "") + item.members[i].member;
  }
  return out;
}

}  // namespace harc
