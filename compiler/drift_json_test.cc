#include "compiler/drift_json.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "compiler/drift_fixture.h"

namespace harc {
namespace {

DriftReport OneCluster() {
  DriftReport r;
  r.checked_at = "2026-01-12T10:31:02Z";
  ClusterDrift c{"gw-east", "maestro", "default", DriftStatus::kDrifted, {}, {}};
  c.items = {{DriftClass::kVersion, "hotfix", {{"east-1a", "R81.20_T89", "R81.20_T88"}}}};
  r.clusters = {c};
  return r;
}

TEST(DriftJsonTest, EveryKeyAlwaysPresentInSortedOrder) {
  EXPECT_EQ(DriftToJson(OneCluster()), R"({
  "checked_at": "2026-01-12T10:31:02Z",
  "clusters": [
    {
      "cluster": "gw-east",
      "drift": [
        {
          "class": "version",
          "members": [
            {
              "desired": "R81.20_T89",
              "member": "east-1a",
              "observed": "R81.20_T88"
            }
          ],
          "subject": "hotfix"
        }
      ],
      "platform": "maestro",
      "status": "drifted",
      "unobservable": [],
      "wave": "default"
    }
  ],
  "commit": "",
  "format": "harc.drift/v1",
  "status": "drifted",
  "summary": {
    "drifted": 1,
    "in_sync": 0,
    "unobservable": 0
  }
}
)");
}

TEST(DriftJsonTest, TheStatusIsTheWorstAndTheSummaryCountsEach) {
  nlohmann::json doc = nlohmann::json::parse(DriftToJson(testing::SampleDriftReport()));
  EXPECT_EQ(doc["status"], "unobservable");
  EXPECT_EQ(doc["commit"], "3f2a9c1d07be55aa");
  EXPECT_EQ(doc["summary"], nlohmann::json({{"drifted", 2}, {"in_sync", 2}, {"unobservable", 1}}));
  ASSERT_EQ(doc["clusters"].size(), 5u);
  EXPECT_EQ(doc["clusters"][2]["unobservable"][0], "lab-2: connect: timed out after 10s");
  EXPECT_EQ(doc["clusters"][3]["drift"][1]["subject"], "no-serving");
  EXPECT_EQ(doc["clusters"][3]["drift"][1]["class"], "role");
}

TEST(DriftJsonTest, AClusterForTheJournalIsOneLineOfTheSameObject) {
  DriftReport r = OneCluster();
  std::string line = ClusterDriftToJson(r.clusters[0]);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(line),
            nlohmann::json::parse(DriftToJson(r))["clusters"][0]);
}

TEST(DriftJsonTest, BytesThatAreNotUtf8AreReplaced) {
  DriftReport r = OneCluster();
  r.clusters[0].items[0].members[0].observed = "R81\xff";
  nlohmann::json doc = nlohmann::json::parse(DriftToJson(r));
  EXPECT_EQ(doc["clusters"][0]["drift"][0]["members"][0]["observed"], "R81\xEF\xBF\xBD");
}

}  // namespace
}  // namespace harc
