#include "reconciler/drift_history.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace harc {
namespace {

constexpr int64_t kT0 = 1'768'213'862'000;  // 2026-01-12T10:31:02Z
constexpr int64_t kMinute = 60'000;

// Journal records as DriftSince returns them, built one report at a time.
class Records {
 public:
  // A report at kT0 + minutes: cluster -> status, with what drifted.
  Records& Report(int64_t minutes,
                  const std::vector<std::tuple<std::string, std::string, std::string>>& clusters) {
    ++check_;
    for (const auto& [cluster, status, summary] : clusters)
      records_.push_back({check_, kT0 + minutes * kMinute, cluster, status, "", "alice@host",
                          summary, "{}"});
    return *this;
  }
  const std::vector<DriftRecord>& get() const { return records_; }

 private:
  int64_t check_ = 0;
  std::vector<DriftRecord> records_;
};

// "cluster reports/unobservable status: drifted@min[<]..corrected@min 'summary'; ..."
std::string Describe(const DriftHistory& h) {
  std::string out = std::to_string(h.reports) + " reports\n";
  for (const ClusterDriftHistory& c : h.clusters) {
    out += c.cluster + " " + std::to_string(c.reports) + "/" + std::to_string(c.unobservable) +
           " " + c.status + ":";
    for (const DriftEpisode& e : c.episodes)
      out += " " + std::to_string((e.drifted_ms - kT0) / kMinute) + (e.before_window ? "<" : "") +
             ".." + (e.corrected_ms ? std::to_string((e.corrected_ms - kT0) / kMinute) : "") +
             " '" + e.summary + "'";
    out += "\n";
  }
  return out;
}

TEST(DriftHistoryTest, ADriftLastsFromTheFirstReportFindingItToTheFirstInSync) {
  Records r;
  r.Report(0, {{"gw-east", "in-sync", ""}, {"fw-dc", "in-sync", ""}})
      .Report(10, {{"gw-east", "drifted", "role down on east-1b"}, {"fw-dc", "in-sync", ""}})
      .Report(20, {{"gw-east", "drifted", "role down on east-1b; version hotfix on east-1a"},
                   {"fw-dc", "in-sync", ""}})
      .Report(30, {{"gw-east", "in-sync", ""}, {"fw-dc", "drifted", "setting x on 1"}});
  EXPECT_EQ(Describe(SummariseDrift(r.get(), kT0, kT0 + 60 * kMinute, {})),
            "4 reports\n"
            "fw-dc 4/0 drifted: 30.. 'setting x on 1'\n"
            "gw-east 4/0 in-sync: 10..30 'role down on east-1b'\n");
}

TEST(DriftHistoryTest, AClusterMayEnterTheWindowDrifted) {
  Records r;
  r.Report(-100, {{"gw-east", "drifted", "role down on east-1b"}, {"fw-dc", "in-sync", ""}})
      .Report(10, {{"gw-east", "in-sync", ""}});
  EXPECT_EQ(Describe(SummariseDrift(r.get(), kT0, kT0 + 60 * kMinute, {})),
            "1 reports\n"
            "fw-dc 0/0 in-sync:\n"
            "gw-east 1/0 in-sync: -100<..10 'role down on east-1b'\n");
}

TEST(DriftHistoryTest, NotSeeingAClusterNeitherStartsNorEndsADrift) {
  Records r;
  r.Report(0, {{"a", "drifted", "version os on m1"}, {"b", "in-sync", ""}})
      .Report(10, {{"a", "unobservable", ""}, {"b", "unobservable", "role down on m2"}})
      .Report(20, {{"a", "in-sync", ""}, {"b", "unobservable", ""}})
      .Report(30, {{"a", "drifted", "version os on m2"}, {"b", "in-sync", ""}});
  EXPECT_EQ(Describe(SummariseDrift(r.get(), kT0, kT0 + 60 * kMinute, {})),
            "4 reports\n"
            "a 4/1 drifted: 0..20 'version os on m1' 30.. 'version os on m2'\n"
            "b 4/2 in-sync: 10..30 'role down on m2'\n");
}

TEST(DriftHistoryTest, OnlyTheClustersAskedForAndTheReportsThatCheckedThem) {
  Records r;
  r.Report(0, {{"a", "drifted", "version os on m1"}}).Report(10, {{"b", "in-sync", ""}});
  EXPECT_EQ(Describe(SummariseDrift(r.get(), kT0, kT0 + 60 * kMinute, {"b"})),
            "1 reports\nb 1/0 in-sync:\n");
}

DriftHistory Sample() {
  Records r;
  r.Report(-100, {{"lb-edge", "drifted", "setting preempt on lb-1"}})
      .Report(0, {{"gw-east", "in-sync", ""}, {"lb-edge", "drifted", "setting preempt on lb-1"}})
      .Report(10, {{"gw-east", "drifted", "version hotfix on east-1a"},
                   {"lb-edge", "unobservable", ""}})
      .Report(24, {{"gw-east", "in-sync", ""}, {"lb-edge", "drifted", "setting preempt on lb-1"}});
  return SummariseDrift(r.get(), kT0 - 60 * kMinute, kT0 + 60 * kMinute, {});
}

TEST(DriftHistoryTest, TextHasALinePerClusterAndPerDrift) {
  EXPECT_EQ(RenderDriftHistoryText(Sample()),
            "Drift from 2026-01-12T09:31:02Z to 2026-01-12T11:31:02Z: 3 reports.\n"
            "gw-east: 3 reports, drifted once, in sync now\n"
            "  drifted 2026-01-12T10:41:02Z, corrected 2026-01-12T10:55:02Z after 14m00s: "
            "version hotfix on east-1a\n"
            "lb-edge: 3 reports, 1 unobservable, drifted once, drifted now\n"
            "  drifted 2026-01-12T08:51:02Z (before the window), not corrected: setting preempt "
            "on lb-1\n");
}

TEST(DriftHistoryTest, MarkdownHasARowPerDrift) {
  EXPECT_EQ(RenderDriftHistoryMarkdown(Sample()),
            "## harc drift from 2026-01-12T09:31:02Z to 2026-01-12T11:31:02Z: 3 reports\n"
            "\n"
            "| cluster | reports | unobservable | now | drifted | corrected | what drifted |\n"
            "|---|---|---|---|---|---|---|\n"
            "| gw-east | 3 | 0 | in sync | 2026-01-12T10:41:02Z | 2026-01-12T10:55:02Z after "
            "14m00s | version hotfix on east-1a |\n"
            "| lb-edge | 3 | 1 | drifted | 2026-01-12T08:51:02Z (before the window) | not "
            "corrected | setting preempt on lb-1 |\n");
}

TEST(DriftHistoryTest, JsonKeepsEveryKey) {
  nlohmann::json doc = nlohmann::json::parse(RenderDriftHistoryJson(Sample()));
  EXPECT_EQ(doc["format"], "harc.drift-history/v1");
  EXPECT_EQ(doc["since"], "2026-01-12T09:31:02Z");
  EXPECT_EQ(doc["until"], "2026-01-12T11:31:02Z");
  EXPECT_EQ(doc["reports"], 3);
  EXPECT_EQ(doc["clusters"][0], nlohmann::json::parse(R"({
    "cluster": "gw-east", "reports": 3, "unobservable": 0, "status": "in-sync",
    "episodes": [{"drifted_at": "2026-01-12T10:41:02Z", "before_window": false,
                  "corrected_at": "2026-01-12T10:55:02Z",
                  "summary": "version hotfix on east-1a"}]})"));
  EXPECT_EQ(doc["clusters"][1]["episodes"][0]["corrected_at"], "");
  EXPECT_EQ(doc["clusters"][1]["episodes"][0]["before_window"], true);
}

}  // namespace
}  // namespace harc
