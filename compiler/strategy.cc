#include "compiler/strategy.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

namespace harc {

namespace {

// Emits steps and replays each on a working copy of the cluster, so every
// decision is made on the state the cluster will be in at that point.
class Planner {
 public:
  Planner(const Cluster& c, const Platform& p, const ClusterState& live, const ClusterDiff& d)
      : c_(c), p_(p), live_(live), state_(live), diff_(d) {}

  std::vector<Step> Run();

 private:
  void Prologue();
  void Epilogue();
  void OneAtATime();
  void Groups();
  void LeaveUpdateJoin();

  // Member units.
  void TakeOut(const std::string& m, const std::string& why);
  void Upgrade(const std::string& m, bool disruptive = false);
  void InstallAll(const std::string& m, bool disruptive);
  void BringBack(const std::string& m, const std::string& why, bool disruptive = false);
  void FailOver(const std::string& from, bool want_upgraded);

  std::vector<std::string> Targets() const;  // members with installs, upgrade order
  bool MayBringBack(const std::string& m) const;
  std::string Master() const;
  std::string BackupMember() const;
  bool NeedsTopologyChange() const;
  const MemberState& At(const std::string& m) const { return *state_.Find(m); }
  void Emit(Step s);

  const Cluster& c_;
  const Platform& p_;
  const ClusterState& live_;
  ClusterState state_;
  const ClusterDiff& diff_;
  std::vector<Step> steps_;
};

void Planner::Emit(Step s) {
  ApplyStep(p_, s, &state_);
  steps_.push_back(std::move(s));
}

std::vector<Step> Planner::Run() {
  if (diff_.empty()) return {};
  Prologue();
  switch (p_.strategy) {
    case Strategy::kStandbyFirst:
    case Strategy::kRolling: OneAtATime(); break;
    case Strategy::kGroups: Groups(); break;
    case Strategy::kLeaveUpdateJoin: LeaveUpdateJoin(); break;
  }
  Epilogue();
  return std::move(steps_);
}

std::string Planner::BackupMember() const {
  for (const MemberState& m : state_.members)
    if (m.Up() && m.role == Role::kActive && c_.FindMember(m.name)) return m.name;
  for (const MemberState& m : state_.members)
    if (m.Up() && c_.FindMember(m.name)) return m.name;
  for (const MemberState& m : state_.members)
    if (m.in_cluster) return m.name;
  return state_.members.front().name;
}

bool Planner::NeedsTopologyChange() const {
  for (const MemberDiff& d : diff_.members)
    if (!d.installs.empty() || d.join || d.remove || d.bring_up) return true;
  return false;
}

// Backup first; hold the settings that fight an upgrade; bring back members an
// interrupted run left down that need nothing else.
void Planner::Prologue() {
  Step b;
  b.action = Action::kBackup;
  b.member = BackupMember();
  b.reason = "back up the configuration before the first change";
  Emit(std::move(b));
  if (NeedsTopologyChange()) {
    for (const auto& [setting, value] : p_.run_settings)
      for (const MemberState& m : live_.members) {
        auto have = At(m.name).settings.find(setting);
        if (!m.in_cluster || (have != At(m.name).settings.end() && have->second == value))
          continue;
        Step s;
        s.action = Action::kSet;
        s.member = m.name;
        s.setting = setting;
        s.value = value;
        s.reason = fmt::format("hold {} at {} for the run (it would fight the upgrade); "
                               "restored at the end", setting, value);
        Emit(std::move(s));
      }
  }
  for (const MemberDiff& d : diff_.members)
    if (d.bring_up && d.installs.empty() && MayBringBack(d.member))
      BringBack(d.member, fmt::format("bring {} back into service: it is down", d.member));
}

// A member an interrupted run left down is brought back first, except where
// the procedure takes it out again (leave-update-join participants leave for
// any install) or where it would serve beside a different version on a
// platform that forbids mixed versions.
bool Planner::MayBringBack(const std::string& m) const {
  if (p_.strategy == Strategy::kLeaveUpdateJoin && diff_.HasInstalls()) return false;
  if (p_.mixed_versions) return true;
  for (const MemberState& peer : state_.members)
    if (peer.Up() && peer.versions != At(m).versions) return false;
  return true;
}

// Members that need an install, in upgrade order: those already out of service
// first (no traffic to move), then standbys, then actives; by name within.
std::vector<std::string> Planner::Targets() const {
  std::vector<std::string> out;
  for (const MemberDiff& d : diff_.members)
    if (!d.installs.empty()) out.push_back(d.member);
  auto rank = [&](const std::string& n) {
    const MemberState& m = At(n);
    return !m.Up() ? 0 : m.role == Role::kStandby ? 1 : 2;
  };
  std::stable_sort(out.begin(), out.end(),
                   [&](const std::string& a, const std::string& b) { return rank(a) < rank(b); });
  return out;
}

// Moves the active role off `from` to the best standby: synced and up, at the
// desired versions first when `want_upgraded` (the manuals: fail over to an
// upgraded standby). Emits nothing when no peer is up: the proof then refuses
// the drain that follows.
void Planner::FailOver(const std::string& from, bool want_upgraded) {
  const MemberState* best = nullptr;
  auto score = [&](const MemberState& m) {
    const MemberDiff* d = diff_.Find(m.name);
    bool upgraded = !d || d->installs.empty();
    return (m.synced ? 2 : 0) + (upgraded || !want_upgraded ? 1 : 0);
  };
  for (const MemberState& m : state_.members) {
    if (m.name == from || !m.Up() || m.role != Role::kStandby) continue;
    if (!best || score(m) > score(*best)) best = &m;
  }
  if (!best) return;
  Step s;
  s.action = Action::kFailover;
  s.member = from;
  s.target = best->name;
  s.reason = fmt::format("move traffic from {} to {} before {} is taken out", from, best->name, from);
  Emit(std::move(s));
}

// Takes m out of service, moving its traffic first where the platform will not.
void Planner::TakeOut(const std::string& m, const std::string& why) {
  if (!At(m).Up()) return;
  if (At(m).role == Role::kActive && p_.active_standby && !p_.drain_fails_over)
    FailOver(m, p_.strategy == Strategy::kStandbyFirst);
  Step s;
  s.action = Action::kDrain;
  s.member = m;
  s.reason = why;
  Emit(std::move(s));
}

void Planner::InstallAll(const std::string& m, bool disruptive) {
  for (const VersionChange& v : diff_.Find(m)->installs) {
    if (At(m).versions.count(v.component) && At(m).versions.at(v.component) == v.to) continue;
    Step s;
    s.action = Action::kInstall;
    s.member = m;
    s.component = v.component;
    s.version = v.to;
    s.disruptive = disruptive;
    s.reason = v.from.empty() ? fmt::format("install {} {}", v.component, v.to)
                              : fmt::format("upgrade {} from {} to {}", v.component, v.from, v.to);
    Emit(std::move(s));
  }
}

void Planner::BringBack(const std::string& m, const std::string& why, bool disruptive) {
  if (!At(m).in_cluster || At(m).Up()) return;
  Step s;
  s.action = Action::kUndrain;
  s.member = m;
  s.reason = why;
  s.disruptive = disruptive;
  Emit(std::move(s));
}

// One member: out of service, install, back in (members outside the cluster
// are installed there and join in the epilogue).
void Planner::Upgrade(const std::string& m, bool disruptive) {
  TakeOut(m, fmt::format("take {} out of service for its upgrade; its traffic moves to peers", m));
  InstallAll(m, disruptive);
  BringBack(m, fmt::format("bring {} back into service upgraded", m), disruptive);
}

// standby-first and rolling: one member at a time, in Targets() order. They
// differ where the active is taken out (TakeOut): standby-first fails over to
// an upgraded standby, rolling to any healthy one, and only where the platform
// does not move traffic by itself.
void Planner::OneAtATime() {
  for (const std::string& m : Targets()) Upgrade(m);
}

void Planner::Groups() {
  std::vector<std::string> targets = Targets(), out;
  for (const std::string& m : targets)
    if (!At(m).Up()) out.push_back(m);
  int in_cluster_out = static_cast<int>(std::count_if(
      out.begin(), out.end(), [&](const std::string& m) { return At(m).in_cluster; }));
  int spare = state_.Serving() + in_cluster_out - std::max(c_.ha.min_serving, 1);
  int cap = std::max(1, std::min(c_.ha.max_unavailable, spare));
  std::vector<std::vector<std::string>> groups = MakeGroups(c_, targets, out, cap);
  for (size_t g = 0; g < groups.size(); ++g) {
    char label = static_cast<char>('A' + g % 26);
    for (const std::string& m : groups[g])
      TakeOut(m, fmt::format("take group {} ({}) out of service; its traffic moves to the rest",
                             label, fmt::join(groups[g], ", ")));
    for (const std::string& m : groups[g]) InstallAll(m, false);
    for (const std::string& m : groups[g])
      BringBack(m, fmt::format("bring group {} back into service upgraded", label));
  }
}

// HP TMS zl: participants leave (deleting cluster data), the master is updated
// alone (this interrupts service), then each participant is updated and
// rejoins at the master's version (members must match when the cluster forms).
void Planner::LeaveUpdateJoin() {
  if (!diff_.HasInstalls()) return;
  std::string master = Master();
  for (const Member& pm : c_.members) {
    if (pm.name == master || !At(pm.name).in_cluster) continue;
    TakeOut(pm.name, fmt::format("take participant {} out of service before it leaves", pm.name));
    Step s;
    s.action = Action::kLeave;
    s.member = pm.name;
    s.reason = fmt::format("participant {} leaves the cluster (deleting cluster data) so the "
                           "master {} can be updated alone", pm.name, master);
    Emit(std::move(s));
  }
  const MemberDiff* md = diff_.Find(master);
  bool update = md && !md->installs.empty();
  if (update && At(master).Up()) {
    Step s;
    s.action = Action::kDrain;
    s.member = master;
    s.disruptive = true;
    s.reason = fmt::format("take master {} down for its update: this interrupts service", master);
    Emit(std::move(s));
  }
  if (update) InstallAll(master, true);
  BringBack(master, fmt::format("bring master {} back into service updated", master), update);
  for (const Member& pm : c_.members)
    if (pm.name != master && diff_.Find(pm.name) && !diff_.Find(pm.name)->installs.empty())
      InstallAll(pm.name, false);
}

// The member the others rejoin: the active, else one in the cluster (up
// first), else the first listed.
std::string Planner::Master() const {
  const MemberState* best = nullptr;
  auto rank = [](const MemberState& m) {
    return (m.in_cluster ? 1 : 0) + (m.Up() ? 2 : 0) + (m.Up() && m.role == Role::kActive ? 4 : 0);
  };
  for (const Member& dm : c_.members)
    if (!best || rank(At(dm.name)) > rank(*best)) best = &At(dm.name);
  return best->name;
}

// Joins, removals, then settings (desired values and restoring held ones).
void Planner::Epilogue() {
  for (const Member& m : c_.members) {
    if (At(m.name).in_cluster) continue;
    Step s;
    s.action = Action::kJoin;
    s.member = m.name;
    s.reason = fmt::format("{} joins the cluster at the cluster's version", m.name);
    Emit(std::move(s));
  }
  for (const MemberDiff& d : diff_.members) {
    if (!d.remove) continue;
    TakeOut(d.member, fmt::format("take {} out of service before it leaves", d.member));
    Step s;
    s.action = Action::kLeave;
    s.member = d.member;
    s.reason = fmt::format("{} is no longer listed in {}", d.member, c_.file);
    Emit(std::move(s));
  }
  for (const DesiredMember& d : DesiredMembers(c_, p_)) {
    std::map<std::string, std::string> want = d.settings;
    for (const auto& [setting, value] : p_.run_settings) {
      auto orig = live_.Find(d.name)->settings.find(setting);
      if (!want.count(setting) && orig != live_.Find(d.name)->settings.end())
        want[setting] = orig->second;
    }
    for (const auto& [setting, value] : want) {
      auto have = At(d.name).settings.find(setting);
      if (have != At(d.name).settings.end() && have->second == value) continue;
      Step s;
      s.action = Action::kSet;
      s.member = d.name;
      s.setting = setting;
      s.value = value;
      bool held = p_.run_settings.count(setting) && have != At(d.name).settings.end() &&
                  have->second == p_.run_settings.at(setting);
      s.reason = held ? fmt::format("restore {} to {} after the run", setting, value)
                      : fmt::format("set {} to {} as {} says", setting, value, c_.file);
      Emit(std::move(s));
    }
  }
}

}  // namespace

std::vector<std::vector<std::string>> MakeGroups(const Cluster& c,
                                                 const std::vector<std::string>& targets,
                                                 const std::vector<std::string>& out, int cap) {
  std::vector<std::vector<std::string>> explicit_groups, out_group, auto_groups;
  std::set<std::string> placed, wanted(targets.begin(), targets.end());
  std::set<std::string> is_out(out.begin(), out.end());
  for (const auto& g : c.ha.groups) {
    std::vector<std::string> group;
    for (const std::string& m : g)
      if (wanted.count(m) && placed.insert(m).second) group.push_back(m);
    if (!group.empty()) explicit_groups.push_back(std::move(group));
  }
  // A group an interrupted run left half-done goes first.
  std::stable_partition(explicit_groups.begin(), explicit_groups.end(), [&](const auto& g) {
    return std::any_of(g.begin(), g.end(), [&](const std::string& m) { return is_out.count(m); });
  });
  std::vector<const Member*> rest;
  std::vector<std::string> down;
  for (const std::string& t : targets) {
    if (placed.count(t)) continue;
    if (is_out.count(t)) down.push_back(t);
    else if (const Member* m = c.FindMember(t)) rest.push_back(m);
  }
  std::sort(down.begin(), down.end());
  if (!down.empty()) out_group.push_back(down);
  std::stable_sort(rest.begin(), rest.end(),
                   [](const Member* a, const Member* b) { return a->site < b->site; });
  size_t k = (rest.size() + cap - 1) / std::max(cap, 1);
  auto_groups.resize(k);
  for (size_t i = 0; i < rest.size(); ++i) auto_groups[i % k].push_back(rest[i]->name);
  std::vector<std::vector<std::string>> result = std::move(out_group);
  for (auto* list : {&explicit_groups, &auto_groups})
    for (auto& g : *list) {
      std::sort(g.begin(), g.end());
      result.push_back(std::move(g));
    }
  return result;
}

std::vector<Step> PlanSteps(const Cluster& c, const Platform& p, const ClusterState& live,
                            const ClusterDiff& diff) {
  return Planner(c, p, live, diff).Run();
}

}  // namespace harc
