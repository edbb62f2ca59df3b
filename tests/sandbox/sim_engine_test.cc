// The clusters' behaviour: timing of actions, failover on drain where the
// platform fails over by itself, outages where it does not, failback and
// preemption as the settings say, joins, faults; and the availability
// timeline recorded at the times transitions were due.
#include "tests/sandbox/sim_fixture.h"

namespace harc::sim::testing {
namespace {

using Timeline = std::vector<std::string>;

bool HasNoActive(const Timeline& t) {
  return std::any_of(t.begin(), t.end(), [](const std::string& e) { return e.ends_with("/0"); });
}

TEST(Engine, DrainOfTheActiveHandsOverWithoutAGapWherePlatformFailsOver) {
  TestCluster c("linux", 2);
  ASSERT_EQ(c.Fact("m1", "role", 0), "active");
  c.Act("m1", "drain", 0);
  EXPECT_EQ(c.Fact("m1", "role", 0.9), "active");  // still carrying traffic
  EXPECT_EQ(c.Fact("m2", "role", 1.0), "active");
  EXPECT_EQ(c.Fact("m1", "role", 1.0), "down");
  EXPECT_FALSE(HasNoActive(c.Timeline()));
  EXPECT_EQ(c.Timeline().back(), "1 1/1");
}

TEST(Engine, DrainOfTheActiveWithoutFailoverIsAnOutageUntilTheStandbyTakesOver) {
  TestCluster c("dual-chassis", 2, "", {"1", "2"});
  c.Act("1", "drain", 0);
  EXPECT_EQ(c.Fact("2", "role", 1.5), "standby");  // chassis 1 went down ungracefully
  EXPECT_EQ(c.Fact("2", "role", 2.0), "active");   // takeover after detection
  Timeline t = c.Timeline();
  ASSERT_GE(t.size(), 2u);
  EXPECT_EQ(t[t.size() - 2], "1 1/0");
  EXPECT_EQ(t.back(), "2 1/1");
}

TEST(Engine, FailoverIsGraceful) {
  TestCluster c("dual-chassis", 2, "", {"1", "2"});
  Reply r = c.Act("1", "failover", 0, {{"target", "2"}});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(c.Fact("1", "role", 1), "standby");
  EXPECT_EQ(c.Fact("2", "role", 1), "active");
  EXPECT_FALSE(HasNoActive(c.Timeline()));
  EXPECT_EQ(c.Act("2", "failover", 2).status, 0);  // back, to the best standby
  EXPECT_EQ(c.Fact("1", "role", 3), "active");
}

TEST(Engine, FailoverRefusedWithoutAStandby) {
  TestCluster c("dual-chassis", 2, "", {"1", "2"});
  c.Act("2", "drain", 0);
  Reply r = c.Act("1", "failover", 2);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("no standby"), std::string::npos) << r.err;
}

TEST(Engine, DrainingTheLastServingMemberIsAnOutage) {
  TestCluster c("maestro", 2);
  c.Act("m1", "drain", 0);
  c.Act("m2", "drain", 0);
  c.Gather("m1", 1);
  EXPECT_EQ(c.Timeline().back(), "1 0/0");
}

TEST(Engine, TransitionsAreRecordedWhenDueNotWhenSeen) {
  TestCluster c("maestro", 3);
  c.Act("m1", "drain", 0);
  c.Gather("m2", 500);  // the next command comes much later
  EXPECT_EQ(c.Timeline().back(), "1 2/2");
}

TEST(Engine, UndrainDuringDrainCancelsIt) {
  TestCluster c("maestro", 2);
  c.Act("m1", "drain", 0);
  c.Act("m1", "undrain", 0.5);
  EXPECT_EQ(c.Fact("m1", "role", 5), "active");
  EXPECT_TRUE(c.Timeline().empty());  // availability never changed
}

TEST(Engine, InstallOnAServingMemberTakesItOutAbruptly) {
  TestCluster c("linux", 2);
  c.Act("m1", "install", 0, {{"version", "1:2.2.7-1+deb12u1"}});
  EXPECT_EQ(c.Fact("m1", "role", 0), "down");
  EXPECT_EQ(c.Fact("m2", "role", 0.5), "standby");
  EXPECT_EQ(c.Fact("m2", "role", 1), "active");
  EXPECT_TRUE(HasNoActive(c.Timeline()));
  EXPECT_EQ(c.Fact("m1", "role", 10), "standby");  // back, as standby
}

TEST(Engine, InstallOfTheInstalledVersionDoesNothing) {
  TestCluster c("maestro", 2);
  Reply r = c.Act("m1", "install", 0, {{"version", "R81.20_T84"}});
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(c.Fact("m1", "role", 0), "active");
}

TEST(Engine, PreemptionOnTakesTheActiveRoleBack) {
  TestCluster c("linux", 2);  // m1 has the higher priority
  c.Act("m1", "drain", 0);
  c.Act("m1", "undrain", 2);
  EXPECT_EQ(c.Fact("m1", "role", 3), "standby");
  EXPECT_EQ(c.Fact("m1", "role", 4), "active");  // preempted back
  EXPECT_EQ(c.Fact("m2", "role", 4), "standby");
}

TEST(Engine, PreemptionOffKeepsTheRoleWhereItIs) {
  TestCluster c("linux", 2);
  c.Act("m1", "set.preempt", 0, {{"value", "off"}});
  c.Act("m1", "drain", 0);
  c.Act("m1", "undrain", 2);
  EXPECT_EQ(c.Fact("m1", "role", 10), "standby");
  EXPECT_EQ(c.Fact("m2", "role", 10), "active");
}

TEST(Engine, ServiceguardPackagesFailOverAndBackAsThePolicySays) {
  TestCluster c("serviceguard", 3, "[settings]\nfailback_policy = \"automatic\"\n");
  auto on = [&](const std::string& node, double t) {
    return c.Run("m1", "cmviewcl -n '" + node + "'", t).out;
  };
  EXPECT_NE(on("m1", 0).find("pkg_m1"), std::string::npos);
  c.Act("m1", "drain", 0);
  EXPECT_NE(on("m2", 1).find("pkg_m1"), std::string::npos);  // adoptive node
  c.Act("m1", "undrain", 2);
  EXPECT_NE(on("m1", 4).find("pkg_m1"), std::string::npos);  // failed back
  c.Act("m1", "set.failback_policy", 5, {{"value", "manual"}});
  c.Act("m1", "drain", 5);
  c.Act("m1", "undrain", 7);
  EXPECT_EQ(on("m1", 20).find("pkg_m1"), std::string::npos);  // stays on the adoptive node
}

TEST(Engine, TmsJoinRefusedAtAnotherVersionAcceptedAtTheSame) {
  TestCluster c("tms-zl", 2);
  c.Act("m2", "drain", 0);
  c.Act("m2", "leave", 1);
  c.Act("m1", "drain", 3);  // the master's update: nobody serves
  c.Act("m1", "install", 4, {{"version", "ST.1.2.100916"}});
  c.Act("m1", "undrain", 14);
  EXPECT_EQ(c.Fact("m1", "role", 15), "active");
  c.Act("m2", "join", 15);
  EXPECT_EQ(c.Fact("m2", "in_cluster", 30), "false");  // still the old version
  c.Act("m2", "install", 30, {{"version", "ST.1.2.100916"}});
  c.Act("m2", "join", 40);
  EXPECT_EQ(c.Fact("m2", "in_cluster", 50), "true");
  EXPECT_EQ(c.Fact("m2", "role", 50), "standby");
}

TEST(Engine, InstallFailsFault) {
  TestCluster c("maestro", 2);
  c.state().members[1].faults.install_fails = true;
  Reply r = c.Act("m2", "install", 0, {{"version", "R81.20_T89"}});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(c.Fact("m2", "version.hotfix", 100), "R81.20_T84");
}

TEST(Engine, InstallHangsUntilTheFaultIsCleared) {
  TestCluster c("maestro", 2);
  c.state().members[1].faults.install_hangs = true;
  c.Act("m2", "drain", 0);
  EXPECT_EQ(c.Act("m2", "install", 1, {{"version", "R81.20_T89"}}).status, 0);
  EXPECT_EQ(c.Fact("m2", "version.hotfix", 1000), "R81.20_T84");
  Log log;
  Engine e(&c.state(), FindVendor("maestro")->traits, &log);
  e.SetFaults("m2", Faults{}, TestCluster::kT0 + 1000);
  EXPECT_EQ(c.Fact("m2", "version.hotfix", 1009), "R81.20_T84");
  EXPECT_EQ(c.Fact("m2", "version.hotfix", 1010), "R81.20_T89");
}

TEST(Engine, ASecondInstallWhileOneRunsIsRefused) {
  TestCluster c("maestro", 2);
  c.Act("m2", "drain", 0);
  c.Act("m2", "install", 1, {{"version", "R81.20_T89"}});
  EXPECT_EQ(c.Act("m2", "install", 2, {{"version", "R81.20_T90"}}).status, 1);
}

TEST(Engine, FactsAreNotMutatingActionsAre) {
  TestCluster c("pacemaker", 3);
  c.Gather("m1", 0);
  EXPECT_FALSE(c.last_audit()["mutating"].get<bool>());
  c.Act("m1", "backup", 0);
  EXPECT_TRUE(c.last_audit()["mutating"].get<bool>());
  EXPECT_EQ(c.last_audit()["parts"][0]["action"], "backup");
}

TEST(Init, OlderVersionIsOneStepBelow) {
  EXPECT_EQ(OlderVersion("R81.20_T89"), "R81.20_T88");
  EXPECT_EQ(OlderVersion("A.12.80.00"), "A.12.79.00");
  EXPECT_EQ(OlderVersion("ST.1.2.100916"), "ST.1.2.100915");
  EXPECT_EQ(OlderVersion("2.1.6-1.el9"), "2.1.6-0.el9");
  EXPECT_EQ(OlderVersion("1:2.2.7-1+deb12u1"), "1:2.2.7-0+deb12u1");
  EXPECT_EQ(OlderVersion("none"), "none");
}

TEST(Init, ActiveStandbyClustersStartWithOneActive) {
  for (const char* p : {"linux", "tms-zl", "dual-chassis"}) {
    TestCluster c(p, 3 - (std::string(p) != "linux"));
    EXPECT_EQ(c.state().ActiveCount(), 1) << p;
  }
  TestCluster aa("maestro", 4);
  EXPECT_EQ(aa.state().ActiveCount(), 4);
}

TEST(Faults, WordsParse) {
  Faults f;
  std::string error;
  ASSERT_TRUE(ApplyFaultWord("slow=2s", &f, &error));
  ASSERT_TRUE(ApplyFaultWord("install-hangs", &f, &error));
  EXPECT_EQ(DescribeFaults(f), "slow=2000ms install-hangs");
  ASSERT_TRUE(ApplyFaultWord("clear", &f, &error));
  EXPECT_EQ(DescribeFaults(f), "none");
  EXPECT_FALSE(ApplyFaultWord("explode", &f, &error));
  EXPECT_FALSE(ApplyFaultWord("slow=fast", &f, &error));
}

}  // namespace
}  // namespace harc::sim::testing
