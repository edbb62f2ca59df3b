// The strategies' step order, pinned against the vendor procedures of
// DESIGN.md §1, on in-code platforms. Each candidate is also proven safe.
#include "compiler/strategy.h"

#include <gtest/gtest.h>

#include "compiler/diff.h"
#include "compiler/proof.h"
#include "compiler/test_fixture.h"

namespace harc {
namespace {

using testing::MakeCluster;
using testing::MakePlatform;
using testing::Obs;
using testing::ObsCluster;
using testing::Trace;

struct Planned {
  std::vector<Step> steps;
  std::optional<Refusal> refusal;
};

Planned PlanFor(const Cluster& c, const Platform& p, const ObservedCluster& oc) {
  ClusterState live;
  std::vector<std::string> problems;
  EXPECT_TRUE(StateFromObserved(c, p, &oc, &live, &problems)) << problems.front();
  Planned out;
  out.steps = PlanSteps(c, p, live, Diff(c, p, live));
  out.refusal = Prove(c, p, live, &out.steps);
  return out;
}

TEST(StandbyFirst, UpgradesStandbyThenFailsOverThenFormerActive) {
  Platform p = MakePlatform(Strategy::kStandbyFirst, true, /*drain_fails_over=*/false);
  Cluster c = MakeCluster({"a", "b"}, "2", 1, 1);
  Planned r = PlanFor(c, p, ObsCluster({Obs("a", "active", "1"), Obs("b", "standby", "1")}));
  EXPECT_FALSE(r.refusal) << r.refusal->message;
  EXPECT_EQ(Trace(r.steps),
            "backup a; drain b; install b os=2; undrain b; failover a->b; drain a; "
            "install a os=2; undrain a");
}

TEST(StandbyFirst, ResumesFromHalfWayStandbyDownAndUpgraded) {
  Platform p = MakePlatform(Strategy::kStandbyFirst, true, false);
  Cluster c = MakeCluster({"a", "b"}, "2", 1, 1);
  Planned r = PlanFor(c, p, ObsCluster({Obs("a", "active", "1"), Obs("b", "down", "2")}));
  EXPECT_FALSE(r.refusal) << r.refusal->message;
  EXPECT_EQ(Trace(r.steps),
            "backup a; undrain b; failover a->b; drain a; install a os=2; undrain a");
}

// A run killed while the standby installed: b is down, out of sync, still
// at the old version. Once b is upgraded and back it is synced, so the
// failover to it is safe.
TEST(StandbyFirst, ResumesFromStandbyDownAndOutOfSyncMidInstall) {
  Platform p = MakePlatform(Strategy::kStandbyFirst, true, false);
  Cluster c = MakeCluster({"a", "b"}, "2", 1, 1);
  ObservedMember b = Obs("b", "down", "1");
  b.facts["sync"] = "false";
  Planned r = PlanFor(c, p, ObsCluster({Obs("a", "active", "1"), b}));
  EXPECT_FALSE(r.refusal) << r.refusal->message;
  EXPECT_EQ(Trace(r.steps), "backup a; install b os=2; undrain b; failover a->b; drain a; "
                            "install a os=2; undrain a");
}

TEST(StandbyFirst, ResumesAfterCompletedFailoverWithoutRepeatingIt) {
  Platform p = MakePlatform(Strategy::kStandbyFirst, true, false);
  Cluster c = MakeCluster({"a", "b"}, "2", 1, 1);
  Planned r = PlanFor(c, p, ObsCluster({Obs("a", "standby", "1"), Obs("b", "active", "2")}));
  EXPECT_FALSE(r.refusal) << r.refusal->message;
  EXPECT_EQ(Trace(r.steps), "backup b; drain a; install a os=2; undrain a");
}

TEST(Rolling, OneMemberAtATimeStandbysBeforeActive) {
  Platform p = MakePlatform(Strategy::kRolling, true, /*drain_fails_over=*/true);
  Cluster c = MakeCluster({"n1", "n2", "n3"}, "2", 2, 1);
  Planned r = PlanFor(c, p, ObsCluster({Obs("n1", "active", "1"), Obs("n2", "standby", "1"),
                                         Obs("n3", "standby", "1")}));
  EXPECT_FALSE(r.refusal) << r.refusal->message;
  EXPECT_EQ(Trace(r.steps),
            "backup n1; drain n2; install n2 os=2; undrain n2; drain n3; install n3 os=2; "
            "undrain n3; drain n1; install n1 os=2; undrain n1");
}

TEST(Rolling, HoldsFailbackForTheRunAndRestoresIt) {
  Platform p = MakePlatform(Strategy::kRolling, true, true);
  p.run_settings["failback"] = "manual";
  Cluster c = MakeCluster({"n1", "n2"}, "2", 1, 1);
  ObservedMember a = Obs("n1", "active", "1"), b = Obs("n2", "standby", "2");
  a.facts["setting.failback"] = "automatic";
  b.facts["setting.failback"] = "automatic";
  Planned r = PlanFor(c, p, ObsCluster({a, b}));
  EXPECT_FALSE(r.refusal) << r.refusal->message;
  EXPECT_EQ(Trace(r.steps),
            "backup n1; set n1 failback=manual; set n2 failback=manual; drain n1; "
            "install n1 os=2; undrain n1; set n1 failback=automatic; set n2 failback=automatic");
}

TEST(Groups, SplitsIntoGroupsSpreadingSites) {
  Platform p = MakePlatform(Strategy::kGroups, /*active_standby=*/false, true);
  Cluster c = MakeCluster({"m1", "m2", "m3", "m4"}, "2", 2, 2);
  Planned r = PlanFor(c, p, ObsCluster({Obs("m1", "active", "1"), Obs("m2", "active", "1"),
                                         Obs("m3", "active", "1"), Obs("m4", "active", "1")}));
  EXPECT_FALSE(r.refusal) << r.refusal->message;
  // Sites: m1,m3 on 1; m2,m4 on 2. Each group keeps one member per site serving.
  EXPECT_EQ(Trace(r.steps),
            "backup m1; drain m1; drain m2; install m1 os=2; install m2 os=2; undrain m1; "
            "undrain m2; drain m3; drain m4; install m3 os=2; install m4 os=2; undrain m3; "
            "undrain m4");
}

TEST(Groups, ExplicitGroupsAreKeptInOrder) {
  Platform p = MakePlatform(Strategy::kGroups, false, true);
  Cluster c = MakeCluster({"m1", "m2", "m3", "m4"}, "2", 2, 2);
  c.ha.groups = {{"m1", "m3"}, {"m2", "m4"}};
  Planned r = PlanFor(c, p, ObsCluster({Obs("m1", "active", "1"), Obs("m2", "active", "1"),
                                         Obs("m3", "active", "1"), Obs("m4", "active", "1")}));
  EXPECT_FALSE(r.refusal) << r.refusal->message;
  EXPECT_EQ(Trace(r.steps),
            "backup m1; drain m1; drain m3; install m1 os=2; install m3 os=2; undrain m1; "
            "undrain m3; drain m2; drain m4; install m2 os=2; install m4 os=2; undrain m2; "
            "undrain m4");
}

TEST(LeaveUpdateJoin, ParticipantLeavesMasterUpdatedParticipantRejoins) {
  Platform p = MakePlatform(Strategy::kLeaveUpdateJoin, true, false, /*mixed=*/false);
  Cluster c = MakeCluster({"master", "part"}, "2", 1, 1);
  c.ha.allow_disruption = true;
  Planned r = PlanFor(c, p, ObsCluster({Obs("master", "active", "1"), Obs("part", "standby", "1")}));
  EXPECT_FALSE(r.refusal) << r.refusal->message;
  EXPECT_EQ(Trace(r.steps),
            "backup master; drain part; leave part; drain master!; install master os=2!; "
            "undrain master!; install part os=2; join part");
}

TEST(LeaveUpdateJoin, RefusedWithoutAllowDisruption) {
  Platform p = MakePlatform(Strategy::kLeaveUpdateJoin, true, false, false);
  Cluster c = MakeCluster({"master", "part"}, "2", 1, 1);
  Planned r = PlanFor(c, p, ObsCluster({Obs("master", "active", "1"), Obs("part", "standby", "1")}));
  ASSERT_TRUE(r.refusal);
  EXPECT_EQ(r.refusal->rule, "disruption");
  EXPECT_EQ(r.refusal->step, 4);
  EXPECT_EQ(r.refusal->message,
            "drain master interrupts service; set allow_disruption = true in [ha] of "
            "clusters/c.toml to allow it");
}

TEST(Membership, JoinsNewMemberAtTheClusterVersionAndRemovesUnlisted) {
  Platform p = MakePlatform(Strategy::kRolling, false, true);
  Cluster c = MakeCluster({"n1", "n2", "n3"}, "2", 1, 1);
  Planned r = PlanFor(c, p, ObsCluster({Obs("n1", "active", "2"), Obs("n2", "active", "2"),
                                         Obs("n3", "down", "1", /*in_cluster=*/false),
                                         Obs("old", "active", "2")}));
  EXPECT_FALSE(r.refusal) << r.refusal->message;
  EXPECT_EQ(Trace(r.steps),
            "backup n1; install n3 os=2; join n3; drain old; leave old");
}

TEST(Diff, InSyncClusterHasNoSteps) {
  Platform p = MakePlatform(Strategy::kRolling, true, true);
  Cluster c = MakeCluster({"n1", "n2"}, "2", 1, 1);
  Planned r = PlanFor(c, p, ObsCluster({Obs("n1", "active", "2"), Obs("n2", "standby", "2")}));
  EXPECT_EQ(Trace(r.steps), "");
}

TEST(MakeGroups, RoundRobinOverSites) {
  Cluster c = MakeCluster({"a", "b", "c", "d", "e", "f"}, "2", 3, 3);
  auto g = MakeGroups(c, {"a", "b", "c", "d", "e", "f"}, {}, 3);
  // Sites: a,c,e on 1; b,d,f on 2. Both groups hold members of both sites, so
  // each site keeps serving while either group is out.
  ASSERT_EQ(g.size(), 2u);
  EXPECT_EQ(g[0], (std::vector<std::string>{"a", "d", "e"}));
  EXPECT_EQ(g[1], (std::vector<std::string>{"b", "c", "f"}));
}

TEST(MakeGroups, MembersAlreadyOutFormTheFirstGroup) {
  Cluster c = MakeCluster({"a", "b", "c", "d", "e"}, "2", 2, 2);
  auto g = MakeGroups(c, {"d", "b", "e"}, {"d"}, 2);
  ASSERT_EQ(g.size(), 2u);
  EXPECT_EQ(g[0], (std::vector<std::string>{"d"}));
  EXPECT_EQ(g[1], (std::vector<std::string>{"b", "e"}));
}

}  // namespace
}  // namespace harc
