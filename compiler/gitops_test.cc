#include "compiler/gitops.h"

#include <gtest/gtest.h>

#include "compiler/builtin_platforms.h"
#include "compiler/load.h"

namespace harc {
namespace {

std::string ClusterFile(const std::string& name, const std::string& wave) {
  return "name = \"" + name + "\"\nplatform = \"linux\"\nwave = \"" + wave +
         "\"\n[software]\nkeepalived = \"2.2\"\n[[member]]\nname = \"a\"\nhost = \"10.0.0.1\"\n"
         "[[member]]\nname = \"b\"\nhost = \"10.0.0.2\"\n";
}

LoadResult Load(const std::string& harc_toml) {
  FleetFiles files{{{"harc.toml", "[rollout]\nwaves = [\"canary\", \"default\"]\n" + harc_toml},
                    {"clusters/lb-1.toml", ClusterFile("lb-1", "canary")},
                    {"clusters/lb-2.toml", ClusterFile("lb-2", "default")},
                    {"clusters/lb-3.toml", ClusterFile("lb-3", "default")}},
                   ""};
  return LoadFleet(files, BuiltinPlatforms());
}

std::string Errors(const LoadResult& r) {
  std::string out;
  for (const Diagnostic& d : r.errors) out += FormatDiagnostic(d);
  return out;
}

// "lb-1:apply+correct lb-2:apply lb-3:-": each cluster's policy.
std::string Policies(const Fleet& fleet) {
  std::string out;
  for (const Cluster& c : fleet.clusters) {
    GitopsPolicy p = PolicyFor(fleet.config.gitops, c);
    std::string v = p.auto_apply ? "apply" : "";
    if (p.auto_correct) v += v.empty() ? "correct" : "+correct";
    out += (out.empty() ? "" : " ") + c.name + ":" + (v.empty() ? "-" : v);
  }
  return out;
}

TEST(Gitops, NothingIsAutomaticByDefault) {
  LoadResult r = Load("");
  ASSERT_TRUE(r.ok()) << Errors(r);
  EXPECT_EQ(Policies(r.fleet), "lb-1:- lb-2:- lb-3:-");
}

TEST(Gitops, ClusterOverridesWaveOverridesDefaults) {
  LoadResult r = Load(R"(
[gitops]
auto_correct = true
[gitops.wave.canary]
auto_apply = true
[gitops.wave.default]
auto_correct = false
[gitops.cluster.lb-3]
auto_apply = true
[gitops.cluster.lb-1]
auto_correct = false
)");
  ASSERT_TRUE(r.ok()) << Errors(r);
  // lb-1: the wave applies, its own entry turns correction off; lb-2: the
  // default wave turns the default off; lb-3: its own entry applies.
  EXPECT_EQ(Policies(r.fleet), "lb-1:apply lb-2:- lb-3:apply");
}

TEST(Gitops, DefaultsApplyToEveryCluster) {
  LoadResult r = Load("[gitops]\nauto_apply = true\nauto_correct = true\n");
  ASSERT_TRUE(r.ok()) << Errors(r);
  EXPECT_EQ(Policies(r.fleet), "lb-1:apply+correct lb-2:apply+correct lb-3:apply+correct");
}

TEST(Gitops, EveryErrorAtItsLine) {
  LoadResult r = Load(R"([gitops]
auto_aply = true
auto_correct = "yes"
[gitops.wave.canry]
auto_apply = true
[gitops.cluster.lb-9]
auto_apply = true
[gitops.cluster.lb-2]
auto_apply = 1
paused = true
[gitops.cluster."a;b"]
auto_apply = true
)");
  EXPECT_EQ(Errors(r),
            "harc.toml:4:1: error: unknown key 'auto_aply' in [gitops]; did you mean "
            "'auto_apply'?\n"
            "    auto_aply = true\n"
            "    ^\n"
            "harc.toml:5:16: error: wrong type for 'auto_correct': expected a boolean, found a "
            "string\n"
            "    auto_correct = \"yes\"\n"
            "                   ^\n"
            "harc.toml:6:14: error: wave 'canry' is not in rollout.waves; did you mean "
            "'canary'?\n"
            "    [gitops.wave.canry]\n"
            "                 ^\n"
            "harc.toml:8:17: error: [gitops.cluster.lb-9] names no cluster of the fleet; did "
            "you mean 'lb-1'?\n"
            "    [gitops.cluster.lb-9]\n"
            "                    ^\n"
            "harc.toml:11:14: error: wrong type for 'auto_apply': expected a boolean, found an "
            "integer\n"
            "    auto_apply = 1\n"
            "                 ^\n"
            "harc.toml:12:1: error: unknown key 'paused' in [gitops.cluster.lb-2]\n"
            "    paused = true\n"
            "    ^\n"
            "harc.toml:13:17: error: not a safe identifier: 'a;b' (';' is not allowed; "
            "identifiers are [A-Za-z0-9][A-Za-z0-9_.-]{0,63})\n"
            "    [gitops.cluster.\"a;b\"]\n"
            "                    ^\n");
}

TEST(Gitops, AnEntryMustBeATable) {
  LoadResult r = Load("[gitops]\nwave = { canary = true }\n");
  EXPECT_EQ(Errors(r),
            "harc.toml:4:19: error: wrong type for [gitops.wave.canary]: expected a table, "
            "found a boolean\n"
            "    wave = { canary = true }\n"
            "                      ^\n");
}

}  // namespace
}  // namespace harc
