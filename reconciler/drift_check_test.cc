#include "reconciler/drift_check.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sstream>

#include "reconciler/memory_journal.h"

namespace harc {
namespace {

constexpr int64_t kNow = 1'768'213'862'000;  // 2026-01-12T10:31:02Z

DriftReport TwoClusters() {
  DriftReport r;
  r.commit = "3f2a9c1d";
  ClusterDrift a{"a", "linux", "default", DriftStatus::kInSync, {}, {}};
  ClusterDrift b{"b", "linux", "default", DriftStatus::kDrifted, {}, {}};
  b.items = {{DriftClass::kRole, "down", {{"m2", "", "down"}}}};
  r.clusters = {a, b};
  return r;
}

TEST(DriftCheckTest, AReportIsOneCheckWithARecordPerCluster) {
  MemoryJournal journal;
  ASSERT_TRUE(RecordDriftReport(journal, TwoClusters(), kNow, "alice@host").ok);
  ASSERT_TRUE(RecordDriftReport(journal, TwoClusters(), kNow + 1, "alice@host").ok);
  std::vector<DriftRecord> out;
  ASSERT_TRUE(journal.DriftSince(kNow + 1, &out).ok);
  ASSERT_EQ(out.size(), 4u);  // the second check, and the first where the window starts
  out.erase(out.begin(), out.begin() + 2);
  EXPECT_EQ(out[1].check_id, 2);
  EXPECT_EQ(out[1].checked_ms, kNow + 1);
  EXPECT_EQ(out[1].cluster, "b");
  EXPECT_EQ(out[1].status, "drifted");
  EXPECT_EQ(out[1].commit, "3f2a9c1d");
  EXPECT_EQ(out[1].who, "alice@host");
  EXPECT_EQ(out[1].summary, "role down on m2");
  EXPECT_EQ(nlohmann::json::parse(out[1].report)["drift"][0]["subject"], "down");
  EXPECT_EQ(out[0].summary, "");
}

TEST(DriftCheckTest, UnobservableWinsOverDriftWhichWinsOverInSync) {
  DriftReport r = TwoClusters();
  EXPECT_EQ(DriftExitCode(r), ExitCode::kChanges);
  r.clusters[0].status = DriftStatus::kUnobservable;
  EXPECT_EQ(DriftExitCode(r), ExitCode::kUnreachable);
  r.clusters = {TwoClusters().clusters[0]};
  EXPECT_EQ(DriftExitCode(r), ExitCode::kOk);
}

TEST(DriftCheckTest, FormatsByName) {
  EXPECT_EQ(ParseDriftFormat("text"), DriftFormat::kText);
  EXPECT_EQ(ParseDriftFormat("json"), DriftFormat::kJson);
  EXPECT_EQ(ParseDriftFormat("markdown"), DriftFormat::kMarkdown);
  EXPECT_EQ(ParseDriftFormat("md"), std::nullopt);
  DriftReport r = TwoClusters();
  EXPECT_EQ(nlohmann::json::parse(RenderDrift(r, DriftFormat::kJson, true))["status"], "drifted");
  EXPECT_EQ(RenderDrift(r, DriftFormat::kMarkdown, true).rfind("## harc drift: 1 drifted", 0), 0u);
  EXPECT_NE(RenderDrift(r, DriftFormat::kText, true).find("\033["), std::string::npos);
  EXPECT_EQ(RenderDrift(r, DriftFormat::kText, false).find("\033["), std::string::npos);
}

TEST(DriftCheckTest, ChecksTheExampleFleetAgainstItsSnapshot) {
  Options o;
  o.repo = HARC_SOURCE_DIR "/examples/fleet";
  o.observed = HARC_SOURCE_DIR "/examples/fleet/observed.json";
  o.clusters = {"lb-edge", "fw-dc"};
  std::ostringstream out, err;
  Console io{out, err};
  std::optional<Fleet> fleet = LoadSelectedFleet(o, io);
  ASSERT_TRUE(fleet) << err.str();
  std::optional<DriftReport> report = CheckDrift(o, *fleet, kNow, io);
  ASSERT_TRUE(report) << err.str();
  EXPECT_EQ(report->checked_at, "2026-01-12T10:31:02Z");
  ASSERT_EQ(report->clusters.size(), 2u);
  EXPECT_EQ(report->clusters[0].cluster, "fw-dc");
  EXPECT_EQ(report->clusters[1].cluster, "lb-edge");
  EXPECT_EQ(out.str(), "");
}

}  // namespace
}  // namespace harc
