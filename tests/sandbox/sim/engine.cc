#include "tests/sandbox/sim/engine.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <random>

namespace harc::sim {
namespace {

std::string Upper(const char* s) {
  std::string out(s);
  for (char& ch : out) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return out;
}

// What a member looks like in an availability record.
const char* Shown(const SimMember& m) { return m.in_cluster ? RoleText(m.role) : "out"; }

std::string Get(const std::map<std::string, std::string>& settings, const std::string& key) {
  auto it = settings.find(key);
  return it == settings.end() ? "" : it->second;
}

}  // namespace

std::string NewBootId() {
  std::random_device rd;
  unsigned a = rd(), b = rd(), c = rd(), d = rd();
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%04x%08x", a, b >> 16, b & 0xfff,
                0x8000 | (c & 0x3fff), c >> 16, d);
  return buf;
}

// ---------------------------------------------------------------- bookkeeping

void Engine::Schedule(Event e) {
  auto at = std::upper_bound(c_.pending.begin(), c_.pending.end(), e.at,
                             [](Time t, const Event& x) { return t < x.at; });
  c_.pending.insert(at, std::move(e));
}

void Engine::Cancel(const std::string& member, const std::vector<std::string>& kinds) {
  std::erase_if(c_.pending, [&](const Event& e) {
    return e.member == member && std::find(kinds.begin(), kinds.end(), e.kind) != kinds.end();
  });
}

bool Engine::Pending(const std::string& kind, const std::string& member) const {
  return std::any_of(c_.pending.begin(), c_.pending.end(), [&](const Event& e) {
    return e.kind == kind && (member.empty() || e.member == member);
  });
}

void Engine::Note(Time t, const std::string& member, const std::string& what) {
  log_.push_back({{"type", "transition"}, {"t", t}, {"cluster", c_.name}, {"member", member},
                  {"what", what}});
}

void Engine::Record(Time t, const std::string& cause) {
  nlohmann::json members = nlohmann::json::object();
  for (const SimMember& m : c_.members) members[m.name] = Shown(m);
  std::string key = members.dump();
  if (key == c_.last_availability) return;
  c_.last_availability = key;
  log_.push_back({{"type", "availability"}, {"t", t}, {"cluster", c_.name},
                  {"serving", c_.Serving()}, {"active", c_.ActiveCount()},
                  {"min_serving", c_.min_serving}, {"members", members}, {"cause", cause}});
}

void Engine::SetRole(SimMember* m, Role r, Time t) {
  if (m->role == r) return;
  m->last_change = Upper(RoleText(m->role)) + " -> " + Upper(RoleText(r));
  m->changed_at = t;
  if (m->role == Role::kActive || r == Role::kActive) ++m->failovers;
  m->role = r;
}

std::string SettingOf(const SimCluster& c, const Traits& traits, const SimMember& m,
                      const std::string& setting) {
  const auto& scoped = traits.member_settings;
  bool own = std::find(scoped.begin(), scoped.end(), setting) != scoped.end();
  return Get(own ? m.settings : c.settings, setting);
}

std::string Engine::Setting(const SimMember& m, const std::string& setting) const {
  return SettingOf(c_, traits_, m, setting);
}

// The standby that takes over: highest priority, then first by name.
SimMember* Engine::BestStandby(const std::string& except) {
  SimMember* best = nullptr;
  for (SimMember& m : c_.members) {
    if (m.name == except || !m.Up() || m.role != Role::kStandby) continue;
    if (!best || m.priority > best->priority ||
        (m.priority == best->priority && m.name < best->name))
      best = &m;
  }
  return best;
}

// ---------------------------------------------------------------- transitions

void Engine::Advance(Time now) {
  while (!c_.pending.empty() && c_.pending.front().at <= now) {
    Event e = c_.pending.front();
    c_.pending.erase(c_.pending.begin());
    Apply(e);
    Rules(e.at);
    Record(e.at, e.kind + (e.member.empty() ? "" : " " + e.member));
  }
}

void Engine::Apply(const Event& e) {
  SimMember* m = c_.Find(e.member);
  if (e.kind == "takeover") {
    if (!c_.active_standby || c_.Active()) return;
    if (SimMember* t = BestStandby("")) {
      SetRole(t, Role::kActive, e.at);
      Note(e.at, t->name, "takes over as active");
    }
    return;
  }
  if (e.kind == "failback") return Failback(e.at);
  if (!m) return;
  if (e.kind == "down") {
    ApplyDown(m, e.handover, e.at);
  } else if (e.kind == "up") {
    ApplyUp(m, e.at);
  } else if (e.kind == "install-done") {
    ApplyInstallDone(m, e.at);
  } else if (e.kind == "leave") {
    ApplyDown(m, e.handover, e.at);
    m->in_cluster = false;
    m->enabled = false;
    Note(e.at, m->name, "left the cluster");
  } else if (e.kind == "join") {
    ApplyJoin(m, e.at);
  } else if (e.kind == "failover" || e.kind == "preempt") {
    SimMember* t = c_.Find(e.kind == "failover" ? e.target : e.member);
    SimMember* from = e.kind == "failover" ? m : const_cast<SimMember*>(c_.Active());
    if (!t || !from || from == t || !from->Up() || from->role != Role::kActive || !t->Up() ||
        t->role != Role::kStandby)
      return Note(e.at, e.member, e.kind + " did not happen: roles changed meanwhile");
    SetRole(from, Role::kStandby, e.at);
    SetRole(t, Role::kActive, e.at);
    Note(e.at, t->name, e.kind + ": active role moved from " + from->name + " to " + t->name);
  }
}

void Engine::ApplyDown(SimMember* m, bool handover, Time t) {
  bool was_active = m->Up() && m->role == Role::kActive;
  if (handover && was_active && c_.active_standby) {
    if (SimMember* s = BestStandby(m->name)) {
      SetRole(s, Role::kActive, t);
      Note(t, s->name, "takes over from " + m->name);
    }
  }
  SetRole(m, Role::kDown, t);
  Note(t, m->name, "down");
  PackagesFollow(t);
}

void Engine::ApplyUp(SimMember* m, Time t) {
  if (!m->enabled || !m->in_cluster || m->install || m->Up()) return;
  bool standby = c_.active_standby && c_.Active() != nullptr;
  SetRole(m, standby ? Role::kStandby : Role::kActive, t);
  Note(t, m->name, standby ? "up as standby" : "up as active");
  PackagesFollow(t);
}

void Engine::ApplyJoin(SimMember* m, Time t) {
  if (!c_.mixed_versions) {
    for (const SimMember& peer : c_.members) {
      if (&peer == m || !peer.Up() || peer.versions == m->versions) continue;
      return Note(t, m->name, "join refused: its software differs from " + peer.name + "'s");
    }
  }
  m->in_cluster = true;
  m->enabled = true;
  Note(t, m->name, "joined the cluster");
  ApplyUp(m, t);
}

void Engine::ApplyInstallDone(SimMember* m, Time t) {
  if (!m->install) return;
  m->versions[m->install->component] = m->install->version;
  Note(t, m->name, "installed " + m->install->component + " " + m->install->version);
  m->install.reset();
  if (traits_.install_reboots) {
    m->boot_id = NewBootId();
    // `who -b` shows minutes: each boot gets a minute of its own.
    m->boot_time = std::max(t, m->boot_time + 60);
  }
  ApplyUp(m, t);
}

// ---------------------------------------------------------------- the cluster's rules

void Engine::Rules(Time t) {
  double d = c_.timing.transition;
  if (c_.active_standby && !c_.Active() && BestStandby("") && !Pending("takeover"))
    Schedule({t + d, "takeover", "", "", false});
  const SimMember* a = c_.Active();
  if (c_.active_standby && a && !traits_.preempt_setting.empty() && !Pending("preempt")) {
    for (const SimMember& m : c_.members) {
      if (!m.Up() || m.role != Role::kStandby || m.priority <= a->priority) continue;
      if (Setting(m, traits_.preempt_setting) != "on") continue;
      Schedule({t + d, "preempt", m.name, "", false});
      break;
    }
  }
  if (!traits_.packages || Pending("failback") || Get(c_.settings, "failback_policy") != "automatic")
    return;
  for (const Package& p : c_.packages) {
    const SimMember* primary = c_.Find(p.primary);
    if (primary && primary->Up() && p.node != p.primary) {
      Schedule({t + d, "failback", "", "", false});
      break;
    }
  }
}

// Packages on a node that is no longer up move to an adoptive node (by
// failover_policy); halted packages start on the first node that is up.
void Engine::PackagesFollow(Time t) {
  if (!traits_.packages) return;
  bool min_node = Get(c_.settings, "failover_policy") == "min_package_node";
  for (Package& p : c_.packages) {
    const SimMember* on = c_.Find(p.node);
    if (on && on->Up()) continue;
    std::string to;
    size_t least = SIZE_MAX;
    auto primary = std::find_if(c_.members.begin(), c_.members.end(),
                                [&](const SimMember& m) { return m.name == p.primary; });
    size_t start = primary == c_.members.end() ? 0 : primary - c_.members.begin();
    for (size_t i = 0; i < c_.members.size(); ++i) {
      const SimMember& m = c_.members[(start + i) % c_.members.size()];
      if (!m.Up()) continue;
      size_t load = std::count_if(c_.packages.begin(), c_.packages.end(),
                                  [&](const Package& q) { return q.node == m.name; });
      if (to.empty() || (min_node && load < least)) to = m.name, least = load;
      if (!min_node) break;
    }
    if (to == p.node) continue;
    Note(t, to, "package " + p.name + (to.empty() ? " halted" : " runs here (was on " +
                                                                    (p.node.empty() ? "none" : p.node) + ")"));
    p.node = to;
  }
}

void Engine::Failback(Time t) {
  if (Get(c_.settings, "failback_policy") != "automatic") return;
  for (Package& p : c_.packages) {
    const SimMember* primary = c_.Find(p.primary);
    if (!primary || !primary->Up() || p.node == p.primary) continue;
    Note(t, p.primary, "package " + p.name + " failed back from " + p.node);
    p.node = p.primary;
  }
}

}  // namespace harc::sim
