#include "compiler/state.h"

#include <algorithm>

#include <fmt/format.h>

namespace harc {

const char* RoleName(Role r) {
  switch (r) {
    case Role::kActive: return "active";
    case Role::kStandby: return "standby";
    case Role::kDown: return "down";
  }
  return "?";
}

MemberState* ClusterState::Find(const std::string& name) {
  for (MemberState& m : members)
    if (m.name == name) return &m;
  return nullptr;
}

const MemberState* ClusterState::Find(const std::string& name) const {
  return const_cast<ClusterState*>(this)->Find(name);
}

int ClusterState::Serving() const {
  return static_cast<int>(std::count_if(members.begin(), members.end(),
                                        [](const MemberState& m) { return m.Up(); }));
}

int ClusterState::ActiveCount() const {
  return static_cast<int>(std::count_if(members.begin(), members.end(), [](const MemberState& m) {
    return m.Up() && m.role == Role::kActive;
  }));
}

namespace {

bool ParseBool(const std::string& s, bool* out) {
  if (s == "true" || s == "yes" || s == "1") return *out = true, true;
  if (s == "false" || s == "no" || s == "0") return *out = false, true;
  return false;
}

bool ParseRole(const std::string& s, Role* out) {
  if (s == "active") return *out = Role::kActive, true;
  if (s == "standby") return *out = Role::kStandby, true;
  if (s == "down") return *out = Role::kDown, true;
  return false;
}

// Reads one observed member into m; appends problems.
void ModelMember(const Platform& p, const ObservedMember& om, MemberState* m,
                 std::vector<std::string>* problems) {
  m->name = om.name;
  auto fact = [&](const std::string& name) -> const std::string* {
    auto it = om.facts.find(name);
    if (it != om.facts.end()) return &it->second;
    problems->push_back(fmt::format("{}: fact '{}' was not observed", om.name, name));
    return nullptr;
  };
  if (const std::string* v = fact("role"); v && !ParseRole(*v, &m->role))
    problems->push_back(
        fmt::format("{}: fact 'role' is '{}', expected active|standby|down", om.name, *v));
  if (const std::string* v = fact("in_cluster"); v && !ParseBool(*v, &m->in_cluster))
    problems->push_back(
        fmt::format("{}: fact 'in_cluster' is '{}', expected true|false", om.name, *v));
  if (auto it = om.facts.find("sync"); it != om.facts.end() && !ParseBool(it->second, &m->synced))
    problems->push_back(
        fmt::format("{}: fact 'sync' is '{}', expected true|false", om.name, it->second));
  for (const std::string& c : p.components)
    if (const std::string* v = fact("version." + c)) m->versions[c] = *v;
  for (const auto& [setting, held] : p.run_settings) fact("setting." + setting);
  for (const auto& [name, value] : om.facts)
    if (name.starts_with("setting.")) m->settings[name.substr(8)] = value;
}

}  // namespace

bool StateFromObserved(const Cluster& c, const Platform& p, const ObservedCluster* observed,
                       ClusterState* out, std::vector<std::string>* problems) {
  size_t before = problems->size();
  out->members.clear();
  if (!observed) {
    problems->push_back(fmt::format("cluster '{}' is not in the observed state", c.name));
    return false;
  }
  for (const Member& dm : c.members)
    if (!observed->FindMember(dm.name))
      problems->push_back(fmt::format("{}: not in the observed state", dm.name));
  for (const ObservedMember& om : observed->members) {
    if (!om.reachable) {
      problems->push_back(fmt::format("{}: {}", om.name,
                                      om.error.empty() ? "unreachable (no reason given)" : om.error));
      continue;
    }
    MemberState m;
    size_t seen = problems->size();
    ModelMember(p, om, &m, problems);
    if (problems->size() == seen) out->members.push_back(std::move(m));
  }
  std::sort(out->members.begin(), out->members.end(),
            [](const MemberState& a, const MemberState& b) { return a.name < b.name; });
  return problems->size() == before;
}

namespace {

// The standby that takes over when the active goes down by itself: the first
// synced, up standby by name. The platform's own choice may differ; that is
// safe because apply re-probes each step's guard against the live cluster.
MemberState* PickTakeover(ClusterState* state, const std::string& leaving) {
  MemberState* best = nullptr;
  for (MemberState& m : state->members) {
    if (m.name == leaving || !m.Up() || m.role != Role::kStandby || !m.synced) continue;
    if (!best) best = &m;
  }
  return best;
}

// A member back in service has synced with its peers (a full sync as it
// joins). A member observed out of sync while down — in the middle of an
// install — is therefore a fit failover target once brought up; the
// failover's guard checks its sync on the live cluster before it runs.
void BringUp(const Platform& p, MemberState* m, ClusterState* state) {
  m->in_cluster = true;
  m->synced = true;
  bool need_active = p.active_standby ? state->ActiveCount() == 0 : true;
  m->role = need_active ? Role::kActive : Role::kStandby;
}

}  // namespace

void ApplyStep(const Platform& p, const Step& s, ClusterState* state) {
  MemberState* m = state->Find(s.member);
  switch (s.action) {
    case Action::kBackup:
      break;
    case Action::kSet:
      m->settings[s.setting] = s.value;
      break;
    case Action::kDrain: {
      bool was_active = m->Up() && m->role == Role::kActive;
      m->role = Role::kDown;
      if (was_active && p.drain_fails_over && state->ActiveCount() == 0)
        if (MemberState* t = PickTakeover(state, m->name)) t->role = Role::kActive;
      break;
    }
    case Action::kUndrain:
      m->role = Role::kDown;
      BringUp(p, m, state);
      break;
    case Action::kFailover:
      m->role = Role::kStandby;
      state->Find(s.target)->role = Role::kActive;
      break;
    case Action::kInstall:
      m->versions[s.component] = s.version;
      break;
    case Action::kLeave:
      m->in_cluster = false;
      m->role = Role::kDown;
      break;
    case Action::kJoin:
      m->role = Role::kDown;
      BringUp(p, m, state);
      break;
  }
}

std::vector<DesiredMember> DesiredMembers(const Cluster& c, const Platform& p) {
  std::vector<DesiredMember> out;
  for (const Member& m : c.members) {
    DesiredMember d{m.name, {}, {}};
    for (const std::string& comp : p.components)
      if (auto it = c.software.find(comp); it != c.software.end()) d.versions[comp] = it->second;
    d.settings = c.settings;
    for (const auto& [k, v] : m.settings) d.settings[k] = v;
    out.push_back(std::move(d));
  }
  std::sort(out.begin(), out.end(),
            [](const DesiredMember& a, const DesiredMember& b) { return a.name < b.name; });
  return out;
}

bool AtDesiredVersions(const MemberState& m, const DesiredMember& d) {
  for (const auto& [comp, v] : d.versions) {
    auto it = m.versions.find(comp);
    if (it == m.versions.end() || it->second != v) return false;
  }
  return true;
}

}  // namespace harc
