// Test fixtures for the compiler: small platforms, clusters and observed states
// built in code, and a one-line trace of a plan, so strategy and proof tests
// read like the procedures they pin. Tests only.
#pragma once

#include <string>
#include <vector>

#include <fmt/format.h>

#include "compiler/model.h"
#include "compiler/plan.h"
#include "compiler/state.h"

namespace harc::testing {

// A platform with every action and fact, for strategy s.
inline Platform MakePlatform(Strategy s, bool active_standby, bool drain_fails_over,
                             bool mixed_versions = true) {
  Platform p;
  p.name = "test";
  p.strategy = s;
  p.components = {"os"};
  p.active_standby = active_standby;
  p.drain_fails_over = drain_fails_over;
  p.mixed_versions = mixed_versions;
  for (const char* f : {"role", "in_cluster", "version.os", "sync", "setting.failback"})
    p.facts[f] = FactSpec{f, std::string("show ") + f, FactKind::kWhole, "", {}, {}, {}};
  auto act = [&](const std::string& name, const std::string& run) {
    p.actions[name] = ActionSpec{name, run, Condition{"role", "down", ""}, 60'000, 1'000, 0, {}};
  };
  for (const char* a : {"backup", "drain", "undrain", "leave", "join"}) act(a, std::string(a) + " {member}");
  act("install", "install {component} {version}");
  act("failover", "failover {target}");
  act("set.failback", "set failback {value}");
  p.actions["install"].until = Condition{"version.{component}", "{version}", ""};
  return p;
}

// A cluster named "c" of the given members on sites 1,2,1,2,...
inline Cluster MakeCluster(const std::vector<std::string>& members, const std::string& version,
                           int min_serving, int max_unavailable) {
  Cluster c;
  c.name = "c";
  c.platform = "test";
  c.file = "clusters/c.toml";
  c.software["os"] = version;
  c.ha.min_serving = min_serving;
  c.ha.max_unavailable = max_unavailable;
  int i = 0;
  for (const std::string& m : members)
    c.members.push_back(Member{m, "10.0.0." + std::to_string(++i), {}, {}, 1 + (i - 1) % 2, {}, {}});
  return c;
}

// One observed member: "role", in cluster, version, synced.
inline ObservedMember Obs(const std::string& name, const std::string& role,
                          const std::string& version, bool in_cluster = true) {
  ObservedMember m;
  m.name = name;
  m.host = "10.0.0.99";
  m.facts = {{"role", role}, {"in_cluster", in_cluster ? "true" : "false"},
             {"version.os", version}, {"sync", "true"}};
  return m;
}

inline ObservedCluster ObsCluster(std::vector<ObservedMember> members) {
  return ObservedCluster{"c", std::move(members)};
}

// "backup m1; drain m2; install m2 os=2; undrain m2; failover m1->m2; set m1 failback=x"
inline std::string Trace(const std::vector<Step>& steps) {
  std::string out;
  for (const Step& s : steps) {
    if (!out.empty()) out += "; ";
    out += fmt::format("{} {}", ActionName(s.action), s.member);
    if (s.action == Action::kInstall) out += fmt::format(" {}={}", s.component, s.version);
    if (s.action == Action::kFailover) out += fmt::format("->{}", s.target);
    if (s.action == Action::kSet) out += fmt::format(" {}={}", s.setting, s.value);
    if (s.disruptive) out += "!";
  }
  return out;
}

}  // namespace harc::testing
