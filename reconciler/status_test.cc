// harc status and the --metrics textfile, rendered from journal records
// (written through MemoryJournal and read back as harc status reads them).
#include "reconciler/status.h"

#include <gtest/gtest.h>

#include "reconciler/memory_journal.h"
#include "reconciler/metrics.h"

namespace harc {
namespace {

constexpr int64_t kT0 = 1'790'000'000'000;  // 2026-09-21T14:13:20Z

CommitStatus Commit(const std::string& hash, ReconcileState state, const std::string& reason,
                    int64_t updated_ms) {
  CommitStatus c;
  c.commit = hash;
  c.branch = "main";
  c.subject = "bump " + hash.substr(0, 4);
  c.author = "Alice <alice@example.net>";
  c.committed_ms = updated_ms - 60'000;
  c.state = state;
  c.reason = reason;
  c.seen_ms = updated_ms - 30'000;
  c.updated_ms = updated_ms;
  return c;
}

class StatusTest : public testing::Test {
 protected:
  void SetUp() override {
    const std::string a = "aaaaaaaaaaaa1111111111111111111111111111";
    const std::string b = "bbbbbbbbbbbb2222222222222222222222222222";
    journal_.PutCommitStatus(Commit(a, ReconcileState::kApplied, "2 applied", kT0));
    CommitStatus held = Commit(b, ReconcileState::kHeld, "1 applied, 1 held (fw-dc)", kT0 + 60'000);
    held.signer = "alice@example.net (ED25519 key SHA256:abc)";
    held.run_id = 7;
    journal_.PutCommitStatus(held);
    journal_.PutClusterStatus({a, "fw-dc", ReconcileState::kApplied, "in sync", 0, 0, kT0});
    journal_.PutClusterStatus({b, "fw-dc", ReconcileState::kHeld,
                               "step 4 (install hotfix T99 on m2): exit 1", 6, 7, kT0 + 60'000});
    journal_.PutClusterStatus({b, "lb-edge", ReconcileState::kApplied, "applied: 7 steps", 7, 7,
                               kT0 + 55'000});
    std::vector<DriftRecord> drift = {
        {0, kT0 + 90'000, "fw-dc", "drifted", b, "ops@ctl", "version hotfix on m2", "{}"},
        {0, kT0 + 90'000, "lb-edge", "in-sync", b, "ops@ctl", "", "{}"}};
    journal_.RecordDrift(&drift);
    RunInfo run{0, b, "sha256:x", "ops@ctl", 1, kT0, kT0 + 1000, ""};
    journal_.BeginRun(&run);
    journal_.EndRun(run.id, "held", kT0 + 2000);
    run = {0, a, "sha256:y", "ops@ctl", 1, kT0, 0, ""};
    journal_.BeginRun(&run);  // still running
    ASSERT_TRUE(ReadWatchStatus(journal_, "main", 0, &status_).ok);
  }
  MemoryJournal journal_;
  WatchStatus status_;
};

TEST_F(StatusTest, Text) {
  EXPECT_EQ(RenderStatusText(status_),
            "Commits on main, newest first:\n"
            "  bbbbbbbbbbbb  held     2026-09-21T14:14:20Z  bump bbbb\n"
            "      by Alice <alice@example.net>; signed by alice@example.net (ED25519 key "
            "SHA256:abc); run 7\n"
            "      1 applied, 1 held (fw-dc)\n"
            "  aaaaaaaaaaaa  applied  2026-09-21T14:13:20Z  bump aaaa\n"
            "      by Alice <alice@example.net>\n"
            "      2 applied\n"
            "Clusters:\n"
            "  fw-dc    held     bbbbbbbbbbbb  2026-09-21T14:14:20Z  step 4 (install hotfix T99 "
            "on m2): exit 1\n"
            "  lb-edge  applied  bbbbbbbbbbbb  2026-09-21T14:14:15Z  applied: 7 steps\n"
            "Drift, newest report per cluster:\n"
            "  fw-dc    drifted       2026-09-21T14:14:50Z  version hotfix on m2\n"
            "  lb-edge  in-sync       2026-09-21T14:14:50Z\n");
}

TEST_F(StatusTest, NothingYet) {
  MemoryJournal empty;
  WatchStatus s;
  ASSERT_TRUE(ReadWatchStatus(empty, "main", 0, &s).ok);
  EXPECT_EQ(RenderStatusText(s), "No commit reconciled yet on main.\n");
}

TEST_F(StatusTest, Json) {
  std::string json = RenderStatusJson(status_);
  EXPECT_NE(json.find("\"format\": \"harc.status/v1\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"commit\": \"bbbbbbbbbbbb2222222222222222222222222222\",\n"
                      "      \"branch\": \"main\",\n"
                      "      \"subject\": \"bump bbbb\",\n"
                      "      \"author\": \"Alice <alice@example.net>\",\n"
                      "      \"committed\": \"2026-09-21T14:13:20Z\",\n"
                      "      \"signer\": \"alice@example.net (ED25519 key SHA256:abc)\",\n"
                      "      \"state\": \"held\",\n"
                      "      \"reason\": \"1 applied, 1 held (fw-dc)\",\n"
                      "      \"run\": 7,"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find("\"cluster\": \"lb-edge\",\n"
                      "      \"commit\": \"bbbbbbbbbbbb2222222222222222222222222222\",\n"
                      "      \"state\": \"applied\",\n"
                      "      \"reason\": \"applied: 7 steps\",\n"
                      "      \"steps\": 7,"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find("\"status\": \"drifted\""), std::string::npos) << json;
}

TEST_F(StatusTest, Metrics) {
  std::string m = RenderMetrics(status_, kT0 + 100'000);
  for (const char* line : {
           "# TYPE harc_cluster_state gauge\n",
           "harc_cluster_state{cluster=\"fw-dc\",state=\"held\"} 1\n",
           "harc_cluster_state{cluster=\"fw-dc\",state=\"applied\"} 0\n",
           "harc_cluster_state{cluster=\"lb-edge\",state=\"applied\"} 1\n",
           "harc_clusters_held 1\n",
           "harc_cluster_drift{cluster=\"fw-dc\",status=\"drifted\"} 1\n",
           "harc_cluster_drift{cluster=\"lb-edge\",status=\"drifted\"} 0\n",
           "harc_cluster_drift{cluster=\"lb-edge\",status=\"in-sync\"} 1\n",
           "harc_cluster_drift_checked_timestamp_seconds{cluster=\"fw-dc\"} 1790000090.000\n",
           "harc_commit_info{branch=\"main\",commit=\"bbbbbbbbbbbb2222222222222222222222222222\","
           "state=\"held\"} 1\n",
           "harc_last_reconciled_commit_timestamp_seconds{branch=\"main\"} 1790000060.000\n",
           "# TYPE harc_apply_runs_total counter\n",
           "harc_apply_runs_total{result=\"held\"} 1\n",
           "harc_apply_runs_total{result=\"unfinished\"} 1\n",
           "harc_watch_last_cycle_timestamp_seconds 1790000100.000\n",
       })
    EXPECT_NE(m.find(line), std::string::npos) << line << "\nin:\n" << m;
  // Every sample belongs to a family announced before it.
  std::string family;
  for (size_t at = 0; at < m.size();) {
    std::string line = m.substr(at, m.find('\n', at) - at);
    at += line.size() + 1;
    if (line.starts_with("# TYPE ")) {
      family = line.substr(7, line.find(' ', 7) - 7);
    } else if (!line.starts_with("#")) {
      EXPECT_TRUE(line.starts_with(family)) << line;
    }
  }
}

TEST_F(StatusTest, PendingCommitsAreNotReconciled) {
  MemoryJournal j;
  j.PutCommitStatus(Commit("c1", ReconcileState::kFailed, "signature refused", kT0));
  j.PutCommitStatus(Commit("c2", ReconcileState::kPending, "planning", kT0 + 5000));
  WatchStatus s;
  ASSERT_TRUE(ReadWatchStatus(j, "main", 0, &s).ok);
  ASSERT_NE(LastReconciled(s), nullptr);
  EXPECT_EQ(LastReconciled(s)->commit, "c1");
  std::string m = RenderMetrics(s, kT0);
  EXPECT_NE(m.find("harc_last_reconciled_commit_timestamp_seconds{branch=\"main\"} "
                   "1790000000.000\n"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("state=\"pending\"} 1\n"), std::string::npos) << m;
}

TEST(MetricsLabels, AreEscaped) {
  WatchStatus s;
  s.clusters.push_back({"c", "we\"ird\\name", ReconcileState::kApplied, "", 0, 0, 0});
  std::string m = RenderMetrics(s, 0);
  EXPECT_NE(m.find("harc_cluster_state{cluster=\"we\\\"ird\\\\name\",state=\"applied\"} 1"),
            std::string::npos)
      << m;
}

}  // namespace
}  // namespace harc
