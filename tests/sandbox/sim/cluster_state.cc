#include "tests/sandbox/sim/cluster_state.h"

namespace harc::sim {

using nlohmann::json;

SimMember* SimCluster::Find(const std::string& member) {
  for (SimMember& m : members)
    if (m.name == member) return &m;
  return nullptr;
}

const SimMember* SimCluster::Find(const std::string& member) const {
  return const_cast<SimCluster*>(this)->Find(member);
}

const SimMember* SimCluster::Active() const {
  for (const SimMember& m : members)
    if (m.Up() && m.role == Role::kActive) return &m;
  return nullptr;
}

int SimCluster::Serving() const {
  int n = 0;
  for (const SimMember& m : members) n += m.Up() ? 1 : 0;
  return n;
}

int SimCluster::ActiveCount() const {
  int n = 0;
  for (const SimMember& m : members) n += m.Up() && m.role == Role::kActive ? 1 : 0;
  return n;
}

const char* RoleText(Role r) {
  switch (r) {
    case Role::kActive: return "active";
    case Role::kStandby: return "standby";
    case Role::kDown: return "down";
  }
  return "down";
}

bool ParseRole(const std::string& s, Role* out) {
  if (s == "active") *out = Role::kActive;
  else if (s == "standby") *out = Role::kStandby;
  else if (s == "down") *out = Role::kDown;
  else return false;
  return true;
}

namespace {

json FaultsJson(const Faults& f) {
  return {{"unreachable", f.unreachable}, {"stall", f.stall},
          {"install_fails", f.install_fails}, {"install_hangs", f.install_hangs},
          {"wrong_output", f.wrong_output}, {"slow_ms", f.slow_ms}};
}

Faults FaultsFrom(const json& j) {
  Faults f;
  f.unreachable = j.value("unreachable", false);
  f.stall = j.value("stall", false);
  f.install_fails = j.value("install_fails", false);
  f.install_hangs = j.value("install_hangs", false);
  f.wrong_output = j.value("wrong_output", false);
  f.slow_ms = j.value("slow_ms", 0);
  return f;
}

json MemberJson(const SimMember& m) {
  json j = {{"name", m.name}, {"address", m.address}, {"site", m.site},
            {"priority", m.priority}, {"in_cluster", m.in_cluster}, {"enabled", m.enabled},
            {"role", RoleText(m.role)}, {"versions", m.versions}, {"settings", m.settings},
            {"boot_id", m.boot_id}, {"boot_time", m.boot_time}, {"faults", FaultsJson(m.faults)},
            {"failovers", m.failovers}, {"changed_at", m.changed_at},
            {"last_change", m.last_change}, {"install", nullptr}};
  if (m.install)
    j["install"] = {{"component", m.install->component}, {"version", m.install->version},
                    {"done_at", m.install->done_at}, {"hangs", m.install->hangs}};
  return j;
}

SimMember MemberFrom(const json& j) {
  SimMember m;
  m.name = j.at("name").get<std::string>();
  m.address = j.value("address", "");
  m.site = j.value("site", 0);
  m.priority = j.value("priority", 100);
  m.in_cluster = j.value("in_cluster", true);
  m.enabled = j.value("enabled", true);
  if (!ParseRole(j.value("role", "down"), &m.role)) throw std::runtime_error("bad role");
  m.versions = j.value("versions", std::map<std::string, std::string>{});
  m.settings = j.value("settings", std::map<std::string, std::string>{});
  m.boot_id = j.value("boot_id", "");
  m.boot_time = j.value("boot_time", 0.0);
  m.faults = FaultsFrom(j.value("faults", json::object()));
  m.failovers = j.value("failovers", 0);
  m.changed_at = j.value("changed_at", 0.0);
  m.last_change = j.value("last_change", "");
  if (j.contains("install") && j["install"].is_object()) {
    const json& i = j["install"];
    m.install = Install{i.at("component").get<std::string>(), i.at("version").get<std::string>(),
                        i.at("done_at").get<double>(), i.value("hangs", false)};
  }
  return m;
}

}  // namespace

json ToJson(const SimCluster& c) {
  json members = json::array(), packages = json::array(), pending = json::array();
  for (const SimMember& m : c.members) members.push_back(MemberJson(m));
  for (const Package& p : c.packages)
    packages.push_back({{"name", p.name}, {"primary", p.primary}, {"node", p.node}});
  for (const Event& e : c.pending)
    pending.push_back({{"at", e.at}, {"kind", e.kind}, {"member", e.member},
                       {"target", e.target}, {"handover", e.handover}});
  return {{"format", "harc-sim.cluster/v1"},
          {"name", c.name},
          {"platform", c.platform},
          {"platform_file", c.platform_file},
          {"strategy", c.strategy},
          {"active_standby", c.active_standby},
          {"drain_fails_over", c.drain_fails_over},
          {"mixed_versions", c.mixed_versions},
          {"min_serving", c.min_serving},
          {"allow_disruption", c.allow_disruption},
          {"timing", {{"transition", c.timing.transition}, {"install", c.timing.install}}},
          {"settings", c.settings},
          {"packages", packages},
          {"members", members},
          {"pending", pending},
          {"last_availability", c.last_availability}};
}

bool FromJson(const json& j, SimCluster* out, std::string* error) {
  try {
    if (j.value("format", "") != "harc-sim.cluster/v1") {
      *error = "not a harc-sim cluster state";
      return false;
    }
    SimCluster c;
    c.name = j.at("name").get<std::string>();
    c.platform = j.at("platform").get<std::string>();
    c.platform_file = j.value("platform_file", "");
    c.strategy = j.value("strategy", "rolling");
    c.active_standby = j.value("active_standby", true);
    c.drain_fails_over = j.value("drain_fails_over", true);
    c.mixed_versions = j.value("mixed_versions", true);
    c.min_serving = j.value("min_serving", 1);
    c.allow_disruption = j.value("allow_disruption", false);
    c.timing.transition = j.at("timing").value("transition", 0.5);
    c.timing.install = j.at("timing").value("install", 2.0);
    c.settings = j.value("settings", std::map<std::string, std::string>{});
    for (const json& p : j.at("packages"))
      c.packages.push_back({p.at("name"), p.at("primary"), p.at("node")});
    for (const json& m : j.at("members")) c.members.push_back(MemberFrom(m));
    for (const json& e : j.at("pending"))
      c.pending.push_back({e.at("at"), e.at("kind"), e.at("member"), e.at("target"),
                           e.value("handover", false)});
    c.last_availability = j.value("last_availability", "");
    *out = std::move(c);
    return true;
  } catch (const std::exception& e) {
    *error = std::string("bad cluster state: ") + e.what();
    return false;
  }
}

}  // namespace harc::sim
