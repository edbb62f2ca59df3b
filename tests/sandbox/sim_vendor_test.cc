// Each built-in platform's every fact command, answered by the simulator in
// each state, read back by the platform's own regex/pointer (ExtractFact) as
// gathering reads it: one script, framing included.
#include "tests/sandbox/sim_fixture.h"

namespace harc::sim::testing {
namespace {

const char* kPlatforms[] = {"maestro", "dual-chassis", "linux", "keepalived", "pacemaker",
                            "serviceguard", "tms-zl"};

std::vector<std::string> NamesFor(const std::string& platform) {
  if (platform == "dual-chassis") return {"1", "2"};
  return {};
}

class EveryPlatform : public ::testing::TestWithParam<const char*> {};

TEST_P(EveryPlatform, FactsOfAServingClusterExtract) {
  std::string p = GetParam();
  TestCluster c(p, 2, "", NamesFor(p));
  std::string m1 = c.state().members[0].name, m2 = c.state().members[1].name;
  auto f1 = c.Gather(m1, 0), f2 = c.Gather(m2, 0);
  bool as = c.platform().active_standby;
  EXPECT_EQ(f1["role"], "active");
  EXPECT_EQ(f2["role"], as ? "standby" : "active");
  EXPECT_EQ(f1["in_cluster"], "true");
  EXPECT_EQ(f2["in_cluster"], "true");
  std::string comp = TestCluster::Component(p);
  EXPECT_EQ(f1["version." + comp], VersionsFor(p).old_version);
  if (c.platform().facts.count("sync")) {
    EXPECT_EQ(f1["sync"], "true");
  }
  if (c.platform().facts.count("boot_id")) {
    EXPECT_FALSE(f1["boot_id"].empty());
    EXPECT_EQ(f1["boot_id"].find("ERROR"), std::string::npos) << f1["boot_id"];
    EXPECT_NE(f1["boot_id"], f2["boot_id"]);
  }
  for (const auto& [fact, value] : f1) EXPECT_FALSE(value.starts_with("ERROR")) << fact << ": " << value;
}

TEST_P(EveryPlatform, DrainedMemberReadsDown) {
  std::string p = GetParam();
  TestCluster c(p, 2, "", NamesFor(p));
  std::string m2 = c.state().members[1].name;
  ASSERT_EQ(c.Act(m2, "drain", 0).status, 0);
  EXPECT_NE(c.Fact(m2, "role", 0.5), "down");  // not yet: the transition takes 1s
  EXPECT_EQ(c.Fact(m2, "role", 1.0), "down");
  EXPECT_EQ(c.Fact(m2, "in_cluster", 1.0), "true");
  ASSERT_EQ(c.Act(m2, "undrain", 2).status, 0);
  EXPECT_EQ(c.Fact(m2, "role", 3), c.platform().active_standby ? "standby" : "active");
}

TEST_P(EveryPlatform, InstallFlipsTheVersionWhenDone) {
  std::string p = GetParam();
  TestCluster c(p, 2, "", NamesFor(p));
  std::string m2 = c.state().members[1].name, comp = TestCluster::Component(p);
  std::string boot = c.state().members[1].boot_id;
  ASSERT_EQ(c.Act(m2, "drain", 0).status, 0);
  Reply r = c.Act(m2, "install", 2, {{"version", VersionsFor(p).new_version}});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(c.Fact(m2, "version." + comp, 11.9), VersionsFor(p).old_version);
  EXPECT_EQ(c.Fact(m2, "version." + comp, 12), VersionsFor(p).new_version);
  EXPECT_EQ(c.Fact(m2, "role", 12), "down");  // still drained: the plan undrains it
  bool reboots = FindVendor(p)->traits.install_reboots;
  EXPECT_EQ(c.state().members[1].boot_id != boot, reboots);
  if (reboots && c.platform().facts.count("boot_id")) {
    TestCluster fresh(p, 2, "", NamesFor(p));
    EXPECT_NE(c.Fact(m2, "boot_id", 13), fresh.Fact(m2, "boot_id", 0));
  }
}

TEST_P(EveryPlatform, EverySettingReadsBackWhatWasSet) {
  std::string p = GetParam();
  TestCluster c(p, 2, "", NamesFor(p));
  std::string m1 = c.state().members[0].name;
  for (const auto& [action, spec] : c.platform().actions) {
    if (!action.starts_with("set.")) continue;
    std::string setting = action.substr(4);
    std::string value = setting == "resource_stickiness" ? "INFINITY"
                        : setting == "failback_policy"   ? "automatic"
                        : setting == "failover_policy"   ? "min_package_node"
                                                         : "off";
    Reply r = c.Act(m1, action, 0, {{"value", value}});
    ASSERT_EQ(r.status, 0) << action << ": " << r.err;
    EXPECT_EQ(c.Fact(m1, "setting." + setting, 0), value) << setting;
  }
}

TEST_P(EveryPlatform, WrongOutputIsNotAValidReading) {
  std::string p = GetParam();
  TestCluster c(p, 2, "", NamesFor(p));
  std::string m1 = c.state().members[0].name;
  c.state().members[0].faults.wrong_output = true;
  auto facts = c.Gather(m1, 0);
  int errors = 0;
  for (const auto& [fact, value] : facts) errors += value.starts_with("ERROR") ? 1 : 0;
  EXPECT_GT(errors, 0) << "garbage must fail at least one fact of " << p;
  EXPECT_NE(facts["role"], "active");
}

std::string TestName(const ::testing::TestParamInfo<const char*>& param) {
  std::string n = param.param;
  std::erase(n, '-');
  return n;
}

INSTANTIATE_TEST_SUITE_P(Builtins, EveryPlatform, ::testing::ValuesIn(kPlatforms), TestName);

TEST(Vendor, TmsMemberThatLeftReadsOutOfCluster) {
  TestCluster c("tms-zl", 2);
  ASSERT_EQ(c.Act("m2", "leave", 0).status, 0);
  EXPECT_EQ(c.Fact("m2", "in_cluster", 1), "false");
  EXPECT_EQ(c.Fact("m2", "role", 1), "down");
}

TEST(Vendor, PacemakerNodeWithItsServicesStoppedCannotReadCrmMon) {
  TestCluster c("pacemaker", 3);
  c.Act("m2", "drain", 0);
  c.Act("m2", "install", 1, {{"version", "2.1.6-1.el9"}});
  EXPECT_TRUE(c.Fact("m2", "role", 2).starts_with("ERROR: exit 102"));
  EXPECT_EQ(c.Fact("m1", "role", 2), "active");
  Reply peer = c.Run("m1", "crm_mon -1 --include=nodes --node='m2'", 2);
  EXPECT_NE(peer.out.find("* OFFLINE: [ m2 ]"), std::string::npos) << peer.out;
}

TEST(Vendor, CrmMonNamesTheNodeAsked) {
  TestCluster c("pacemaker", 3);
  c.Act("m3", "drain", 0);
  Reply r = c.Run("m1", "crm_mon -1 --include=nodes --node='m3'", 2);
  EXPECT_NE(r.out.find("* Node m3: standby"), std::string::npos) << r.out;
  r = c.Run("m1", "crm_mon -1 --include=nodes --node='nobody'", 2);
  EXPECT_EQ(r.status, 1);
}

TEST(Vendor, CphaprobStateListsEveryMemberWithTheLocalOne) {
  TestCluster c("maestro", 3);
  Reply r = c.Run("m2", "cphaprob state", 0);
  EXPECT_NE(r.out.find("1_02 (local)  192.0.2.2       100%            ACTIVE         m2\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("1_01          192.0.2.1"), std::string::npos) << r.out;
}

TEST(Vendor, SettingValuesAreChecked) {
  TestCluster c("linux", 2);
  Reply r = c.Act("m1", "set.preempt", 0, {{"value", "maybe"}});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("invalid value 'maybe'"), std::string::npos) << r.err;
  EXPECT_EQ(c.Fact("m1", "setting.preempt", 0), "on");
}

}  // namespace
}  // namespace harc::sim::testing
