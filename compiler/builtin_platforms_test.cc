// The built-in platforms (schemas/platforms/*.toml): each loads cleanly, says
// what its vendor's procedure needs, and reads every fact from a sample of the
// vendor's own output (tests/data/outputs/<platform>/<fact>[--<case>].txt).
#include "compiler/builtin_platforms.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "compiler/facts.h"
#include "compiler/shell.h"

namespace harc {
namespace {

struct Loaded {
  std::map<std::string, Platform> platforms;
  std::map<std::string, std::string> errors;  // platform -> formatted diagnostics
};

const Loaded& LoadAll() {
  static const Loaded loaded = [] {
    Loaded l;
    for (const SourceFile& f : BuiltinPlatforms()) {
      DiagSink sink;
      sink.SetSource(f.path, f.text);
      Platform p;
      LoadPlatform(f, &p, &sink);
      std::string errors;
      for (const Diagnostic& d : sink.diagnostics()) errors += FormatDiagnostic(d);
      l.errors[p.name] = errors;
      l.platforms[p.name] = std::move(p);
    }
    return l;
  }();
  return loaded;
}

const Platform& Get(const std::string& name) {
  static const Platform kEmpty;
  auto it = LoadAll().platforms.find(name);
  return it == LoadAll().platforms.end() ? kEmpty : it->second;
}

// The six of the design and a service behind a keepalived virtual address.
TEST(BuiltinPlatformsTest, AreTheSixOfTheDesignAndKeepalived) {
  std::set<std::string> names;
  for (const SourceFile& f : BuiltinPlatforms()) names.insert(f.path);
  EXPECT_EQ(names, (std::set<std::string>{"<builtin>/dual-chassis.toml", "<builtin>/keepalived.toml",
                                          "<builtin>/linux.toml", "<builtin>/maestro.toml",
                                          "<builtin>/pacemaker.toml", "<builtin>/serviceguard.toml",
                                          "<builtin>/tms-zl.toml"}));
}

TEST(BuiltinPlatformsTest, EachLoadsWithoutDiagnostics) {
  for (const auto& [name, errors] : LoadAll().errors) EXPECT_EQ(errors, "") << name;
}

// ---------------------------------------------------------------- procedures

struct Procedure {
  std::string platform;
  Strategy strategy;
  bool active_standby;
  bool drain_fails_over;
  bool mixed_versions;
  int max_members, max_members_per_site;
  std::vector<std::string> components;
  std::map<std::string, std::string> run_settings;
  std::vector<std::string> extra_actions;  // beyond backup, drain, undrain, install
};

const Procedure kProcedures[] = {
    {"maestro", Strategy::kGroups, false, true, true, 6, 3, {"hotfix"},
     {{"image_cloning", "off"}}, {"set.image_cloning"}},
    {"dual-chassis", Strategy::kStandbyFirst, true, false, true, 2, 0, {"hotfix"},
     {{"image_cloning", "off"}}, {"failover", "set.image_cloning"}},
    {"tms-zl", Strategy::kLeaveUpdateJoin, true, true, false, 2, 0, {"software"}, {},
     {"join", "leave"}},
    {"serviceguard", Strategy::kRolling, false, true, true, 0, 0, {"serviceguard"},
     {{"failback_policy", "manual"}}, {"set.failback_policy", "set.failover_policy"}},
    {"pacemaker", Strategy::kRolling, false, true, true, 0, 0, {"pacemaker"},
     {{"resource_stickiness", "INFINITY"}}, {"set.resource_stickiness"}},
    {"linux", Strategy::kRolling, true, true, true, 0, 0, {"keepalived"}, {{"preempt", "off"}},
     {"set.preempt"}},
    {"keepalived", Strategy::kRolling, true, true, true, 0, 0, {"app"}, {{"failback", "off"}},
     {"set.failback"}},
};

TEST(BuiltinPlatformsTest, FollowTheirVendorsProcedures) {
  for (const Procedure& want : kProcedures) {
    SCOPED_TRACE(want.platform);
    const Platform& p = Get(want.platform);
    EXPECT_EQ(p.strategy, want.strategy);
    EXPECT_EQ(p.active_standby, want.active_standby);
    EXPECT_EQ(p.drain_fails_over, want.drain_fails_over);
    EXPECT_EQ(p.mixed_versions, want.mixed_versions);
    EXPECT_EQ(p.max_members, want.max_members);
    EXPECT_EQ(p.max_members_per_site, want.max_members_per_site);
    EXPECT_EQ(p.components, want.components);
    EXPECT_EQ(p.run_settings, want.run_settings);
    std::set<std::string> actions = {"backup", "drain", "undrain", "install"};
    actions.insert(want.extra_actions.begin(), want.extra_actions.end());
    std::set<std::string> have;
    for (const auto& [name, a] : p.actions) have.insert(name);
    EXPECT_EQ(have, actions);
  }
}

// Every action but the backup changes the member, and apply must be able to
// tell that it took effect before its deadline.
TEST(BuiltinPlatformsTest, EveryChangeWaitsForItsEffect) {
  for (const auto& [name, p] : LoadAll().platforms) {
    for (const auto& [action, a] : p.actions) {
      SCOPED_TRACE(name + " " + action);
      if (action == "backup") continue;
      ASSERT_TRUE(a.until.has_value());
      EXPECT_GE(a.timeout_ms, 60'000);
      EXPECT_LT(a.interval_ms * 5, a.timeout_ms);
    }
  }
}

// The commands render with realistic values: no stray braces, no placeholder
// a step cannot fill.
TEST(BuiltinPlatformsTest, EveryCommandRenders) {
  for (const auto& [name, p] : LoadAll().platforms) {
    std::map<std::string, std::string> vars = {{"member", "m1"},
                                               {"component", p.components.front()},
                                               {"version", "1:2.4.1-1+deb12u1"},
                                               {"target", "m2"},
                                               {"value", "off"}};
    std::string out, error;
    for (const auto& [action, a] : p.actions)
      EXPECT_TRUE(RenderCommand(a.run, vars, &out, &error)) << name << " " << action << ": "
                                                             << error;
    for (const auto& [fact, f] : p.facts)
      EXPECT_TRUE(RenderCommand(f.run, vars, &out, &error)) << name << " " << fact << ": " << error;
  }
}

// ---------------------------------------------------------------- facts

struct Sample {
  std::string platform, file, fact, want;
};

const Sample kSamples[] = {
    {"maestro", "role--active", "role", "active"},
    {"maestro", "role--standby", "role", "standby"},
    {"maestro", "role--down", "role", "down"},
    {"maestro", "role--active", "in_cluster", "true"},
    {"maestro", "role--down", "in_cluster", "true"},
    {"maestro", "in_cluster--false", "in_cluster", "false"},
    {"maestro", "in_cluster--false", "role", "down"},
    {"maestro", "version.hotfix", "version.hotfix", "R81.20_T89"},
    {"maestro", "version.hotfix--none", "version.hotfix", "none"},
    {"maestro", "sync", "sync", "true"},
    {"maestro", "sync--false", "sync", "false"},
    {"maestro", "boot_id", "boot_id", "3f6b2c1e-8d4a-4f0b-9a7e-5c2d1b0e9f84"},
    {"maestro", "setting.image_cloning", "setting.image_cloning", "off"},
    {"maestro", "setting.image_cloning--on", "setting.image_cloning", "on"},

    {"dual-chassis", "role--active", "role", "active"},
    {"dual-chassis", "role--standby", "role", "standby"},
    {"dual-chassis", "role--down", "role", "down"},
    {"dual-chassis", "role--active", "in_cluster", "true"},
    {"dual-chassis", "in_cluster--false", "in_cluster", "false"},
    {"dual-chassis", "version.hotfix", "version.hotfix", "R81.20_T65"},
    {"dual-chassis", "sync", "sync", "true"},
    {"dual-chassis", "boot_id", "boot_id", "a81c0f2d-4b6e-4e7a-8c1f-2d9e3b7a6c50"},
    {"dual-chassis", "setting.image_cloning", "setting.image_cloning", "on"},

    {"tms-zl", "role--active", "role", "active"},
    {"tms-zl", "role--standby", "role", "standby"},
    {"tms-zl", "role--down", "role", "down"},
    {"tms-zl", "role--standby", "in_cluster", "true"},
    {"tms-zl", "role--down", "in_cluster", "true"},
    {"tms-zl", "in_cluster--false", "in_cluster", "false"},
    {"tms-zl", "version.software", "version.software", "ST.1.2.100916"},

    {"serviceguard", "role--active", "role", "active"},
    {"serviceguard", "role--down", "role", "down"},
    {"serviceguard", "role--failed", "role", "down"},
    {"serviceguard", "role--active", "in_cluster", "true"},
    {"serviceguard", "role--down", "in_cluster", "true"},
    {"serviceguard", "in_cluster--false", "in_cluster", "false"},
    {"serviceguard", "in_cluster--false", "role", "down"},
    {"serviceguard", "version.serviceguard", "version.serviceguard", "A.11.20.00"},
    {"serviceguard", "boot_id", "boot_id", "Mar  4 09:12"},
    {"serviceguard", "setting.failback_policy", "setting.failback_policy", "manual"},
    {"serviceguard", "setting.failback_policy--automatic", "setting.failback_policy",
     "automatic"},
    {"serviceguard", "setting.failback_policy", "setting.failover_policy", "configured_node"},
    {"serviceguard", "setting.failback_policy--automatic", "setting.failover_policy",
     "min_package_node"},
    {"serviceguard", "setting.failback_policy--no-packages", "setting.failback_policy", "manual"},
    {"serviceguard", "setting.failback_policy--no-packages", "setting.failover_policy",
     "configured_node"},

    {"pacemaker", "role--active", "role", "active"},
    {"pacemaker", "role--down", "role", "down"},
    {"pacemaker", "role--offline", "role", "down"},
    {"pacemaker", "role--stopped", "role", "down"},
    {"pacemaker", "in_cluster", "in_cluster", "true"},
    {"pacemaker", "in_cluster--false", "in_cluster", "false"},
    {"pacemaker", "version.pacemaker", "version.pacemaker", "2.1.5-8.el9"},
    {"pacemaker", "boot_id", "boot_id", "9d0e6c3a-1f2b-4c7d-8e5a-6b4f3c2d1e0a"},
    {"pacemaker", "setting.resource_stickiness", "setting.resource_stickiness", "INFINITY"},
    {"pacemaker", "setting.resource_stickiness--unset", "setting.resource_stickiness", "0"},

    {"linux", "role--active", "role", "active"},
    {"linux", "role--standby", "role", "standby"},
    {"linux", "role--down", "role", "down"},
    {"linux", "role--fault", "role", "down"},
    {"linux", "in_cluster", "in_cluster", "true"},
    {"linux", "in_cluster--false", "in_cluster", "false"},
    {"linux", "version.keepalived", "version.keepalived", "1:2.2.7-1+b2"},
    {"linux", "boot_id", "boot_id", "5e2f8a41-7c3d-4b9e-a06f-1d8c2b4e7f93"},
    {"linux", "setting.preempt", "setting.preempt", "on"},
    {"linux", "setting.preempt--off", "setting.preempt", "off"},

    {"keepalived", "role--active", "role", "active"},
    {"keepalived", "role--standby", "role", "standby"},
    {"keepalived", "role--drained", "role", "down"},
    {"keepalived", "role--stopped", "role", "down"},
    {"keepalived", "role--fault", "role", "down"},
    {"keepalived", "role--init", "role", "down"},
    {"keepalived", "role--no-address", "role", "down"},
    {"keepalived", "in_cluster", "in_cluster", "true"},
    {"keepalived", "in_cluster--false", "in_cluster", "false"},
    {"keepalived", "version.app", "version.app", "2.0-1"},
    {"keepalived", "boot_id", "boot_id", "7c1e4b2a-93d5-4f08-b6a1-2e8d5c0f9b37"},
    {"keepalived", "setting.failback", "setting.failback", "on"},
    {"keepalived", "setting.failback--off", "setting.failback", "off"},
};

std::string ReadSample(const Sample& s) {
  std::string path =
      std::string(HARC_SOURCE_DIR) + "/tests/data/outputs/" + s.platform + "/" + s.file + ".txt";
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot read " << path;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(BuiltinPlatformsTest, FactsReadTheVendorsOutput) {
  for (const Sample& s : kSamples) {
    SCOPED_TRACE(s.platform + "/" + s.file + " as " + s.fact);
    const Platform& p = Get(s.platform);
    auto spec = p.facts.find(s.fact);
    ASSERT_NE(spec, p.facts.end());
    FactValue v = ExtractFact(spec->second, ReadSample(s));
    EXPECT_TRUE(v.ok) << v.error;
    EXPECT_EQ(v.value, s.want);
  }
}

// Each fact of each platform has a sample, and the samples of `role` reach
// every value its map and default can give.
TEST(BuiltinPlatformsTest, SamplesCoverEveryFactAndRoleValue) {
  std::map<std::string, std::set<std::string>> facts, roles;
  for (const Sample& s : kSamples) {
    facts[s.platform].insert(s.fact);
    if (s.fact == "role") roles[s.platform].insert(s.want);
  }
  for (const auto& [name, p] : LoadAll().platforms) {
    SCOPED_TRACE(name);
    for (const auto& [fact, spec] : p.facts) EXPECT_TRUE(facts[name].count(fact)) << fact;
    const FactSpec& role = p.facts.at("role");
    std::set<std::string> reachable;
    for (const auto& [raw, value] : role.map) reachable.insert(value);
    if (role.fallback) reachable.insert(*role.fallback);
    EXPECT_EQ(roles[name], reachable);
    if (p.active_standby) {
      EXPECT_EQ(reachable, (std::set<std::string>{"active", "standby", "down"}));
    }
  }
}

}  // namespace
}  // namespace harc
