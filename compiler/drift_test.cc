#include "compiler/drift.h"

#include <string>

#include <gtest/gtest.h>

#include "compiler/test_fixture.h"

namespace harc {
namespace {

using testing::MakeCluster;
using testing::MakePlatform;
using testing::Obs;
using testing::ObsCluster;

// "class subject: member desired->observed, ..." per item, one line each.
std::string Describe(const ClusterDrift& d) {
  std::string out;
  for (const DriftItem& item : d.items) {
    out += std::string(DriftClassName(item.cls)) + " " + item.subject + ":";
    for (const DriftValue& v : item.members)
      out += " " + v.member + " " + v.desired + "->" + v.observed;
    out += "\n";
  }
  return out;
}

class DriftTest : public ::testing::Test {
 protected:
  Platform pair_ = MakePlatform(Strategy::kStandbyFirst, true, false);
  Platform group_ = MakePlatform(Strategy::kGroups, false, true);
  Cluster c_ = MakeCluster({"m1", "m2"}, "2", 1, 1);
};

TEST_F(DriftTest, AClusterAtItsDeclaredStateIsInSync) {
  ObservedCluster oc = ObsCluster({Obs("m1", "active", "2"), Obs("m2", "standby", "2")});
  ClusterDrift d = CompareCluster(c_, pair_, &oc);
  EXPECT_EQ(d.status, DriftStatus::kInSync);
  EXPECT_EQ(Describe(d), "");
  EXPECT_TRUE(d.unobservable.empty());
  EXPECT_EQ(DriftOneLine(d), "");
}

TEST_F(DriftTest, AnotherVersionIsVersionDriftNamingEachMemberAndValue) {
  ObservedCluster oc = ObsCluster({Obs("m1", "active", "1"), Obs("m2", "standby", "1")});
  ClusterDrift d = CompareCluster(c_, pair_, &oc);
  EXPECT_EQ(d.status, DriftStatus::kDrifted);
  EXPECT_EQ(Describe(d), "version os: m1 2->1 m2 2->1\n");
  EXPECT_EQ(DriftOneLine(d), "version os on m1, m2");
}

TEST_F(DriftTest, ASettingIsComparedWithTheMembersOwnValueFirst) {
  c_.settings["failback"] = "manual";
  c_.members[1].settings["failback"] = "auto";
  ObservedMember m1 = Obs("m1", "active", "2"), m2 = Obs("m2", "standby", "2");
  m1.facts["setting.failback"] = "auto";
  m2.facts["setting.failback"] = "auto";
  ObservedCluster oc = ObsCluster({m1, m2});
  EXPECT_EQ(Describe(CompareCluster(c_, pair_, &oc)), "setting failback: m1 manual->auto\n");
}

TEST_F(DriftTest, MembershipNamesMissingAndExtraMembers) {
  ObservedCluster oc = ObsCluster({Obs("m1", "active", "2"), Obs("m2", "down", "2", false),
                                   Obs("m9", "standby", "2")});
  ClusterDrift d = CompareCluster(c_, pair_, &oc);
  EXPECT_EQ(d.status, DriftStatus::kDrifted);
  EXPECT_EQ(Describe(d), "membership extra: m9 false->true\nmembership missing: m2 true->false\n");
}

TEST_F(DriftTest, AnUndeclaredMemberThatLeftIsNoDrift) {
  ObservedCluster oc = ObsCluster({Obs("m1", "active", "2"), Obs("m2", "standby", "2"),
                                   Obs("m9", "down", "1", false)});
  EXPECT_EQ(CompareCluster(c_, pair_, &oc).status, DriftStatus::kInSync);
}

TEST_F(DriftTest, AMemberDownIsARoleAnomaly) {
  ObservedCluster oc = ObsCluster({Obs("m1", "active", "2"), Obs("m2", "down", "2")});
  EXPECT_EQ(Describe(CompareCluster(c_, pair_, &oc)), "role down: m2 ->down\n");
}

TEST_F(DriftTest, NoActiveWhereThePlatformHasOneMeansNoMemberServes) {
  ObservedCluster oc = ObsCluster({Obs("m1", "standby", "2"), Obs("m2", "standby", "2")});
  EXPECT_EQ(Describe(CompareCluster(c_, pair_, &oc)),
            "role no-serving: m1 ->standby m2 ->standby\n");
}

TEST_F(DriftTest, TwoActivesAreAnAnomalyOnlyWhereThePlatformHasOne) {
  ObservedCluster oc = ObsCluster({Obs("m1", "active", "2"), Obs("m2", "active", "2")});
  EXPECT_EQ(Describe(CompareCluster(c_, pair_, &oc)),
            "role multiple-active: m1 ->active m2 ->active\n");
  EXPECT_EQ(CompareCluster(c_, group_, &oc).status, DriftStatus::kInSync);
}

TEST_F(DriftTest, AllMembersDownInAnActiveActiveClusterMeansNoneServes) {
  ObservedCluster oc = ObsCluster({Obs("m1", "down", "2"), Obs("m2", "down", "2")});
  EXPECT_EQ(Describe(CompareCluster(c_, group_, &oc)),
            "role down: m1 ->down m2 ->down\nrole no-serving: m1 ->down m2 ->down\n");
}

TEST_F(DriftTest, MembersDisagreeingWhereTheFileDeclaresNothingDiverge) {
  c_.software.clear();
  ObservedMember m1 = Obs("m1", "active", "1"), m2 = Obs("m2", "standby", "2");
  m1.facts["setting.failback"] = "auto";
  m2.facts["setting.failback"] = "manual";
  ObservedCluster oc = ObsCluster({m1, m2, Obs("m3", "down", "3", false)});
  EXPECT_EQ(Describe(CompareCluster(c_, pair_, &oc)),
            "divergence setting.failback: m1 ->auto m2 ->manual\n"
            "divergence version.os: m1 ->1 m2 ->2\n");
}

TEST_F(DriftTest, DeclaredValuesAreVersionDriftNotDivergence) {
  ObservedCluster oc = ObsCluster({Obs("m1", "active", "1"), Obs("m2", "standby", "2")});
  EXPECT_EQ(Describe(CompareCluster(c_, pair_, &oc)), "version os: m1 2->1\n");
}

TEST_F(DriftTest, AMemberInServiceOutOfSyncWithItsPeersDiverges) {
  ObservedMember m2 = Obs("m2", "standby", "2");
  m2.facts["sync"] = "false";
  ObservedMember m3 = Obs("m3", "down", "2");
  m3.facts["sync"] = "false";  // down: not expected to be in sync
  c_.members.push_back(Member{"m3", "10.0.0.3", {}, {}, 1, {}, {}});
  ObservedCluster oc = ObsCluster({Obs("m1", "active", "2"), m2, m3});
  EXPECT_EQ(Describe(CompareCluster(c_, pair_, &oc)),
            "role down: m3 ->down\ndivergence sync: m2 true->false\n");
}

TEST_F(DriftTest, UnobservableStillReportsWhatTheMembersSeenShow) {
  ObservedMember gone = Obs("m1", "active", "2");
  gone.reachable = false;
  gone.error = "connect: timed out after 10s";
  ObservedCluster oc = ObsCluster({gone, Obs("m2", "standby", "1")});
  ClusterDrift d = CompareCluster(c_, pair_, &oc);
  EXPECT_EQ(d.status, DriftStatus::kUnobservable);
  EXPECT_EQ(d.unobservable, std::vector<std::string>{"m1: connect: timed out after 10s"});
  // m1 may well be the active: "no serving member" is not concluded.
  EXPECT_EQ(Describe(d), "version os: m2 2->1\n");
}

TEST_F(DriftTest, AMemberWhoseFactsDoNotParseIsLeftOutNotReportedDown) {
  ObservedCluster oc = ObsCluster({Obs("m1", "active", "2"), Obs("m2", "weird", "2")});
  ClusterDrift d = CompareCluster(c_, pair_, &oc);
  EXPECT_EQ(d.status, DriftStatus::kUnobservable);
  EXPECT_EQ(d.unobservable,
            std::vector<std::string>{"m2: fact 'role' is 'weird', expected active|standby|down"});
  EXPECT_EQ(Describe(d), "");
}

TEST_F(DriftTest, AClusterNotObservedAtAllIsUnobservable) {
  ClusterDrift d = CompareCluster(c_, pair_, nullptr);
  EXPECT_EQ(d.status, DriftStatus::kUnobservable);
  EXPECT_EQ(d.unobservable, std::vector<std::string>{"cluster 'c' is not in the observed state"});
}

TEST_F(DriftTest, TheFleetReportIsByNameForTheClustersAskedFor) {
  Fleet fleet;
  fleet.commit = "3f2a9c1d07be";
  fleet.platforms["test"] = pair_;
  for (const char* name : {"a", "b", "c"}) {
    Cluster c = c_;
    c.name = name;
    fleet.clusters.push_back(c);
  }
  ObservedFleet observed;
  observed.clusters["a"] = ObsCluster({Obs("m1", "active", "2"), Obs("m2", "standby", "2")});
  observed.clusters["c"] = ObsCluster({Obs("m1", "active", "1"), Obs("m2", "standby", "2")});

  DriftReport all = CompareFleet(fleet, observed, {});
  ASSERT_EQ(all.clusters.size(), 3u);
  EXPECT_EQ(all.commit, "3f2a9c1d07be");
  EXPECT_EQ(all.clusters[0].status, DriftStatus::kInSync);
  EXPECT_EQ(all.clusters[1].status, DriftStatus::kUnobservable);
  EXPECT_EQ(all.clusters[2].status, DriftStatus::kDrifted);
  EXPECT_EQ(all.Status(), DriftStatus::kUnobservable);  // whatever drifted elsewhere
  EXPECT_EQ(all.Count(DriftStatus::kDrifted), 1u);

  DriftReport some = CompareFleet(fleet, observed, {"c", "a"});
  ASSERT_EQ(some.clusters.size(), 2u);
  EXPECT_EQ(some.clusters[0].cluster, "a");
  EXPECT_EQ(some.Status(), DriftStatus::kDrifted);
  EXPECT_EQ(CompareFleet(fleet, observed, {"a"}).Status(), DriftStatus::kInSync);
}

TEST(DriftStatusTest, NamesRoundTrip) {
  for (DriftStatus s : {DriftStatus::kInSync, DriftStatus::kDrifted, DriftStatus::kUnobservable})
    EXPECT_EQ(ParseDriftStatus(DriftStatusName(s)), s);
  EXPECT_EQ(ParseDriftStatus("in sync"), std::nullopt);
}

}  // namespace
}  // namespace harc
