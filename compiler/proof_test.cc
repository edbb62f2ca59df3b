// One test per rule of the proof: an unsafe plan (or an unsafe desired or
// observed state) is refused with that rule at the right step.
#include "compiler/proof.h"

#include <gtest/gtest.h>

#include "compiler/diff.h"
#include "compiler/strategy.h"
#include "compiler/test_fixture.h"

namespace harc {
namespace {

using testing::MakeCluster;
using testing::MakePlatform;
using testing::Obs;
using testing::ObsCluster;

ClusterState Live(const Cluster& c, const Platform& p, const ObservedCluster& oc) {
  ClusterState live;
  std::vector<std::string> problems;
  EXPECT_TRUE(StateFromObserved(c, p, &oc, &live, &problems));
  return live;
}

Step Mk(Action a, const std::string& member, const std::string& extra = "") {
  Step s;
  s.action = a;
  s.member = member;
  if (a == Action::kInstall) s.component = "os", s.version = extra;
  if (a == Action::kFailover) s.target = extra;
  return s;
}

// Proves hand-written steps on a two-member active/standby pair a(active) b(standby), v1.
std::optional<Refusal> ProvePair(std::vector<Step> steps, Platform p, Cluster c) {
  ClusterState live = Live(c, p, ObsCluster({Obs("a", "active", "1"), Obs("b", "standby", "1")}));
  return Prove(c, p, live, &steps);
}

Platform Pair() { return MakePlatform(Strategy::kStandbyFirst, true, false); }

TEST(Proof, SafePlanPassesAndCountsServing) {
  Cluster c = MakeCluster({"a", "b"}, "2", 1, 1);
  std::vector<Step> steps = {Mk(Action::kBackup, "a"), Mk(Action::kDrain, "b"),
                             Mk(Action::kInstall, "b", "2"), Mk(Action::kUndrain, "b"),
                             Mk(Action::kFailover, "a", "b"), Mk(Action::kDrain, "a"),
                             Mk(Action::kInstall, "a", "2"), Mk(Action::kUndrain, "a")};
  ClusterState live = Live(c, Pair(), ObsCluster({Obs("a", "active", "1"), Obs("b", "standby", "1")}));
  EXPECT_FALSE(Prove(c, Pair(), live, &steps));
  EXPECT_EQ(steps[1].serving_before, 2);
  EXPECT_EQ(steps[1].serving_after, 1);
  EXPECT_EQ(steps[3].serving_after, 2);
}

TEST(Proof, BackupFirst) {
  auto r = ProvePair({Mk(Action::kDrain, "b")}, Pair(), MakeCluster({"a", "b"}, "2", 1, 1));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rule, "backup-first");
  EXPECT_EQ(r->step, 1);
}

TEST(Proof, ServingMemberInstall) {
  auto r = ProvePair({Mk(Action::kBackup, "a"), Mk(Action::kInstall, "b", "2")}, Pair(),
                     MakeCluster({"a", "b"}, "2", 1, 1));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rule, "serving-member");
  EXPECT_EQ(r->step, 2);
  EXPECT_EQ(r->message, "install on b while it is in service (standby)");
}

TEST(Proof, ServingMemberLeave) {
  auto r = ProvePair({Mk(Action::kBackup, "a"), Mk(Action::kLeave, "b")}, Pair(),
                     MakeCluster({"a", "b"}, "2", 1, 1));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rule, "serving-member");
}

TEST(Proof, TrafficMovedDrainingTheActiveWithoutFailover) {
  auto r = ProvePair({Mk(Action::kBackup, "a"), Mk(Action::kDrain, "a")}, Pair(),
                     MakeCluster({"a", "b"}, "2", 1, 1));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rule, "traffic-moved");
  EXPECT_EQ(r->step, 2);
}

TEST(Proof, FailoverToUnsyncedPeer) {
  Cluster c = MakeCluster({"a", "b"}, "2", 1, 1);
  ObservedMember b = Obs("b", "standby", "1");
  b.facts["sync"] = "false";
  ClusterState live = Live(c, Pair(), ObsCluster({Obs("a", "active", "1"), b}));
  std::vector<Step> steps = {Mk(Action::kBackup, "a"), Mk(Action::kFailover, "a", "b")};
  auto r = Prove(c, Pair(), live, &steps);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rule, "failover-target");
  EXPECT_EQ(r->message, "failover to b, which is not an up, synced standby");
}

TEST(Proof, FailoverToDownPeer) {
  auto r = ProvePair({Mk(Action::kBackup, "a"), Mk(Action::kDrain, "b"),
                      Mk(Action::kFailover, "a", "b")},
                     Pair(), MakeCluster({"a", "b"}, "2", 1, 1));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rule, "failover-target");
  EXPECT_EQ(r->step, 3);
}

TEST(Proof, MinServingFromDesiredState) {
  // Two members cannot keep two serving while one is upgraded: the strategy's
  // candidate is refused at its first drain.
  Platform p = MakePlatform(Strategy::kRolling, false, true);
  Cluster c = MakeCluster({"a", "b"}, "2", 2, 1);
  ClusterState live = Live(c, p, ObsCluster({Obs("a", "active", "1"), Obs("b", "active", "1")}));
  std::vector<Step> steps = PlanSteps(c, p, live, Diff(c, p, live));
  auto r = Prove(c, p, live, &steps);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rule, "min-serving");
  EXPECT_EQ(r->step, 2);
  EXPECT_EQ(r->message, "after drain a 1 member would serve; ha.min_serving is 2");
}

TEST(Proof, AllAtOnce) {
  Platform p = MakePlatform(Strategy::kRolling, false, true);
  Cluster c = MakeCluster({"a", "b"}, "2", 0, 2);
  ClusterState live = Live(c, p, ObsCluster({Obs("a", "active", "1"), Obs("b", "active", "1")}));
  std::vector<Step> steps = {Mk(Action::kBackup, "a"), Mk(Action::kDrain, "a"),
                             Mk(Action::kDrain, "b")};
  auto r = Prove(c, p, live, &steps);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rule, "all-at-once");
  EXPECT_EQ(r->step, 3);
}

TEST(Proof, MaxUnavailable) {
  Platform p = MakePlatform(Strategy::kGroups, false, true);
  Cluster c = MakeCluster({"a", "b", "c", "d"}, "2", 1, 1);
  ClusterState live = Live(c, p, ObsCluster({Obs("a", "active", "1"), Obs("b", "active", "1"),
                                             Obs("c", "active", "1"), Obs("d", "active", "1")}));
  std::vector<Step> steps = {Mk(Action::kBackup, "a"), Mk(Action::kDrain, "a"),
                             Mk(Action::kDrain, "b")};
  auto r = Prove(c, p, live, &steps);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rule, "max-unavailable");
  EXPECT_EQ(r->step, 3);
}

TEST(Proof, VersionSkewWherePlatformForbidsMixedVersions) {
  Platform p = MakePlatform(Strategy::kRolling, true, true, /*mixed=*/false);
  Cluster c = MakeCluster({"a", "b", "c"}, "2", 1, 1);
  ClusterState live = Live(c, p, ObsCluster({Obs("a", "active", "1"), Obs("b", "standby", "1"),
                                             Obs("c", "standby", "1")}));
  std::vector<Step> steps = PlanSteps(c, p, live, Diff(c, p, live));
  auto r = Prove(c, p, live, &steps);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rule, "version-skew");
  EXPECT_EQ(r->message,
            "after undrain b members in service would run different versions; platform 'test' "
            "forbids mixed versions");
}

TEST(Proof, VersionSkewThreeVersions) {
  Platform p = MakePlatform(Strategy::kRolling, false, true);
  Cluster c = MakeCluster({"a", "b", "c"}, "3", 1, 1);
  ClusterState live = Live(c, p, ObsCluster({Obs("a", "active", "1"), Obs("b", "active", "2"),
                                             Obs("c", "active", "2")}));
  std::vector<Step> steps = {Mk(Action::kBackup, "a"), Mk(Action::kDrain, "b"),
                             Mk(Action::kInstall, "b", "3")};
  auto r = Prove(c, p, live, &steps);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rule, "version-skew");
  EXPECT_EQ(r->step, 3);
}

TEST(Proof, JoinVersion) {
  Platform p = MakePlatform(Strategy::kRolling, false, true);
  Cluster c = MakeCluster({"a", "b", "n"}, "2", 1, 1);
  ClusterState live = Live(c, p, ObsCluster({Obs("a", "active", "2"), Obs("b", "active", "2"),
                                             Obs("n", "down", "1", false)}));
  std::vector<Step> steps = {Mk(Action::kBackup, "a"), Mk(Action::kJoin, "n")};
  auto r = Prove(c, p, live, &steps);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rule, "join-version");
  EXPECT_EQ(r->message, "n would join at os 1 but a runs 2");
}

TEST(Proof, Disruption) {
  Platform p = MakePlatform(Strategy::kLeaveUpdateJoin, true, false, false);
  Cluster c = MakeCluster({"a", "b"}, "2", 1, 1);
  Step d = Mk(Action::kDrain, "a");
  d.disruptive = true;
  auto r = ProvePair({Mk(Action::kBackup, "a"), d}, p, c);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rule, "disruption");
  c.ha.allow_disruption = true;
  r = ProvePair({Mk(Action::kBackup, "a"), Mk(Action::kDrain, "b"), Mk(Action::kLeave, "b"), d,
                 Mk(Action::kInstall, "a", "2"), Mk(Action::kUndrain, "a"),
                 Mk(Action::kInstall, "b", "2"), Mk(Action::kJoin, "b")},
                p, c);
  EXPECT_FALSE(r) << r->rule << ": " << r->message;
}

TEST(Proof, TemporaryRestored) {
  Platform p = MakePlatform(Strategy::kRolling, true, true);
  p.run_settings["failback"] = "manual";
  Cluster c = MakeCluster({"a", "b"}, "1", 1, 1);
  ObservedMember a = Obs("a", "active", "1"), b = Obs("b", "standby", "1");
  a.facts["setting.failback"] = b.facts["setting.failback"] = "automatic";
  ClusterState live = Live(c, p, ObsCluster({a, b}));
  Step hold = Mk(Action::kSet, "a");
  hold.setting = "failback";
  hold.value = "manual";
  std::vector<Step> steps = {Mk(Action::kBackup, "a"), hold};
  auto r = Prove(c, p, live, &steps);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rule, "temporary-restored");
  EXPECT_EQ(r->message, "a is left at failback=manual after the run; it should be automatic");
}

TEST(Proof, FinalState) {
  auto r = ProvePair({Mk(Action::kBackup, "a"), Mk(Action::kDrain, "b"),
                      Mk(Action::kInstall, "b", "2"), Mk(Action::kUndrain, "b")},
                     Pair(), MakeCluster({"a", "b"}, "2", 1, 1));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rule, "final-state");
  EXPECT_EQ(r->message, "a is not at the desired versions");
}

TEST(Proof, RecoveryFromDegradedStateIsAllowed) {
  // Observed: two of three down (an interrupted run); max_unavailable 1 is
  // already broken, but bringing members back only improves it.
  Platform p = MakePlatform(Strategy::kRolling, false, true);
  Cluster c = MakeCluster({"a", "b", "c"}, "2", 1, 1);
  ClusterState live = Live(c, p, ObsCluster({Obs("a", "active", "1"), Obs("b", "down", "2"),
                                             Obs("c", "down", "1")}));
  std::vector<Step> steps = PlanSteps(c, p, live, Diff(c, p, live));
  auto r = Prove(c, p, live, &steps);
  EXPECT_FALSE(r) << r->rule << ": " << r->message;
}

}  // namespace
}  // namespace harc
