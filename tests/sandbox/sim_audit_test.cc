// The audit report: outages from the availability timeline (the TMS zl
// master's update reported as a disruptive update, allowed where the cluster
// allows disruption), mutating commands, since.
#include "tests/sandbox/sim/audit.h"

#include <gtest/gtest.h>

#include "tests/sandbox/sim_fixture.h"

namespace harc::sim::testing {
namespace {

using nlohmann::json;

json Availability(double t, const std::string& cluster, int serving, int active, int min,
                  json members = json::object()) {
  return {{"type", "availability"}, {"t", t},           {"cluster", cluster},
          {"serving", serving},     {"active", active}, {"min_serving", min},
          {"members", members},     {"cause", "x"}};
}

TEST(Audit, OutageIsWhileBelowMinServingOrWithoutActive) {
  std::vector<json> log = {Availability(0, "a", 2, 1, 1), Availability(5, "a", 1, 0, 1),
                           Availability(6, "a", 1, 1, 1), Availability(7, "b", 3, 3, 2),
                           Availability(8, "b", 1, 1, 2)};
  AuditReport r = BuildReport(log, {}, 0);
  ASSERT_EQ(r.outages.size(), 2u);
  EXPECT_EQ(r.outages[0].cluster, "a");
  EXPECT_EQ(r.outages[0].from, 5);
  EXPECT_EQ(*r.outages[0].to, 6);
  EXPECT_EQ(r.outages[0].lowest_active, 0);
  EXPECT_EQ(r.outages[1].cluster, "b");
  EXPECT_FALSE(r.outages[1].to);  // still going on
  EXPECT_FALSE(r.NoOutage());
}

TEST(Audit, SinceSkipsOutagesThatEndedBefore) {
  std::vector<json> log = {Availability(0, "a", 0, 0, 1), Availability(1, "a", 1, 1, 1)};
  EXPECT_EQ(BuildReport(log, {}, 0).outages.size(), 1u);
  EXPECT_TRUE(BuildReport(log, {}, 2).NoOutage());
}

TEST(Audit, TmsMasterUpdateIsADisruptiveUpdateAllowedWhenTheClusterAllowsIt) {
  json left = {{"a", "down"}, {"b", "out"}};
  std::vector<json> log = {Availability(0, "t", 2, 1, 1), Availability(1, "t", 0, 0, 1, left),
                           Availability(2, "t", 1, 1, 1)};
  AuditReport allowed = BuildReport(log, {{"t", {"leave-update-join", true}}}, 0);
  ASSERT_EQ(allowed.outages.size(), 1u);
  EXPECT_EQ(allowed.outages[0].kind, "disruptive-update");
  EXPECT_TRUE(allowed.NoOutage());
  EXPECT_FALSE(BuildReport(log, {{"t", {"leave-update-join", false}}}, 0).NoOutage());
  EXPECT_FALSE(BuildReport(log, {{"t", {"rolling", true}}}, 0).NoOutage());
}

TEST(Audit, ListsMutatingCommandsAndCountsActiveMoves) {
  std::vector<json> log = {
      {{"type", "command"}, {"t", 1}, {"mutating", false}, {"command", "cphaprob state"}},
      {{"type", "command"}, {"t", 2}, {"mutating", true}, {"command", "clusterXL_admin down"}},
      Availability(0, "l", 2, 1, 1, {{"m1", "active"}, {"m2", "standby"}}),
      Availability(3, "l", 1, 1, 1, {{"m1", "down"}, {"m2", "active"}})};
  AuditReport r = BuildReport(log, {}, 0);
  EXPECT_EQ(r.commands, 2);
  ASSERT_EQ(r.mutating.size(), 1u);
  EXPECT_EQ(r.mutating[0]["command"], "clusterXL_admin down");
  EXPECT_EQ(r.active_moves["l"], 1);
  EXPECT_EQ(BuildReport(log, {}, 1.5).commands, 1);
  EXPECT_NE(FormatReport(r).find("outages: none"), std::string::npos);
}

// The whole leave-update-join procedure on the simulator, as the plan runs it.
TEST(Audit, TmsProcedureShowsOnlyTheMastersUpdate) {
  TestCluster c("tms-zl", 2, "[ha]\nallow_disruption = true\n");
  c.Act("m2", "drain", 0);
  c.Act("m2", "leave", 1);
  c.Act("m1", "drain", 3);
  c.Act("m1", "install", 4, {{"version", "ST.1.2.100916"}});
  c.Act("m1", "undrain", 14);
  c.Act("m2", "install", 16, {{"version", "ST.1.2.100916"}});
  c.Act("m2", "join", 26);
  c.Gather("m2", 40);
  std::vector<json> log(c.log().begin(), c.log().end());
  AuditReport r = BuildReport(log, {{"c", {"leave-update-join", true}}}, 0);
  ASSERT_EQ(r.outages.size(), 1u) << FormatReport(r);
  EXPECT_EQ(r.outages[0].kind, "disruptive-update");
  EXPECT_EQ(r.outages[0].from, TestCluster::kT0 + 4);
  EXPECT_EQ(*r.outages[0].to, TestCluster::kT0 + 15);
  EXPECT_TRUE(r.NoOutage());
}

}  // namespace
}  // namespace harc::sim::testing
