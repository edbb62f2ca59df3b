// The GitOps status tables of the SQLite journal, in a real file, and the
// forward migration that adds them to a journal an older harc wrote.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>

#include "reconciler/memory_journal.h"
#include "reconciler/sqlite_journal.h"

namespace harc {
namespace {

namespace fs = std::filesystem;

CommitStatus Commit(const std::string& hash, const std::string& branch, ReconcileState state) {
  CommitStatus c;
  c.commit = hash;
  c.branch = branch;
  c.subject = "bump " + hash;
  c.author = "Alice <alice@example.net>";
  c.committed_ms = 1000;
  c.signer = "alice@example.net";
  c.state = state;
  c.reason = "because " + hash;
  c.run_id = 7;
  c.seen_ms = 2000;
  c.updated_ms = 3000;
  return c;
}

ClusterCommitStatus Cluster(const std::string& commit, const std::string& cluster,
                            ReconcileState state) {
  return ClusterCommitStatus{commit, cluster, state, "why " + cluster, 4, 9, 5000};
}

std::string Describe(const std::vector<CommitStatus>& v) {
  std::string out;
  for (const CommitStatus& c : v)
    out += c.commit + "@" + c.branch + ":" + ReconcileStateName(c.state) + " ";
  return out;
}

std::string Describe(const std::vector<ClusterCommitStatus>& v) {
  std::string out;
  for (const ClusterCommitStatus& c : v)
    out += c.cluster + "@" + c.commit + ":" + ReconcileStateName(c.state) + " ";
  return out;
}

// The same checks against both implementations: the fake must behave as the real one.
void CheckStatuses(Journal& j) {
  ASSERT_TRUE(j.PutCommitStatus(Commit("c1", "main", ReconcileState::kApplied)).ok);
  ASSERT_TRUE(j.PutCommitStatus(Commit("x1", "dev", ReconcileState::kPlanned)).ok);
  ASSERT_TRUE(j.PutCommitStatus(Commit("c2", "main", ReconcileState::kPending)).ok);
  std::vector<CommitStatus> commits;
  ASSERT_TRUE(j.CommitStatuses("main", 0, &commits).ok);
  EXPECT_EQ(Describe(commits), "c2@main:pending c1@main:applied ");
  ASSERT_TRUE(j.CommitStatuses("", 2, &commits).ok);
  EXPECT_EQ(Describe(commits), "c2@main:pending x1@dev:planned ");
  // Put again: replaced, and now the newest.
  ASSERT_TRUE(j.PutCommitStatus(Commit("c1", "main", ReconcileState::kFailed)).ok);
  ASSERT_TRUE(j.CommitStatuses("", 0, &commits).ok);
  EXPECT_EQ(Describe(commits), "c1@main:failed c2@main:pending x1@dev:planned ");
  CommitStatus want = Commit("c1", "main", ReconcileState::kFailed);
  const CommitStatus& got = commits[0];
  EXPECT_EQ(got.subject, want.subject);
  EXPECT_EQ(got.author, want.author);
  EXPECT_EQ(got.committed_ms, want.committed_ms);
  EXPECT_EQ(got.signer, want.signer);
  EXPECT_EQ(got.reason, want.reason);
  EXPECT_EQ(got.run_id, want.run_id);
  EXPECT_EQ(got.seen_ms, want.seen_ms);
  EXPECT_EQ(got.updated_ms, want.updated_ms);

  ASSERT_TRUE(j.PutClusterStatus(Cluster("c1", "lb-edge", ReconcileState::kApplied)).ok);
  ASSERT_TRUE(j.PutClusterStatus(Cluster("c1", "fw-dc", ReconcileState::kHeld)).ok);
  ASSERT_TRUE(j.PutClusterStatus(Cluster("c2", "lb-edge", ReconcileState::kPlanned)).ok);
  std::vector<ClusterCommitStatus> clusters;
  ASSERT_TRUE(j.ClusterStatuses("c1", &clusters).ok);
  EXPECT_EQ(Describe(clusters), "fw-dc@c1:held lb-edge@c1:applied ");
  ASSERT_TRUE(j.ClusterStatuses("", &clusters).ok);
  EXPECT_EQ(Describe(clusters), "fw-dc@c1:held lb-edge@c2:planned ");
  // An older commit's row written last is the cluster's newest.
  ASSERT_TRUE(j.PutClusterStatus(Cluster("c1", "lb-edge", ReconcileState::kFailed)).ok);
  ASSERT_TRUE(j.ClusterStatuses("", &clusters).ok);
  EXPECT_EQ(Describe(clusters), "fw-dc@c1:held lb-edge@c1:failed ");
  EXPECT_EQ(clusters[1].reason, "why lb-edge");
  EXPECT_EQ(clusters[1].steps, 4);
  EXPECT_EQ(clusters[1].run_id, 9);
  EXPECT_EQ(clusters[1].updated_ms, 5000);
}

class StatusTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "harc-status-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    path_ = (dir_ / "journal.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::unique_ptr<SqliteJournal> Open() {
    std::unique_ptr<SqliteJournal> j;
    std::string warning;
    JournalStatus st = SqliteJournal::Open(path_, &j, &warning);
    EXPECT_TRUE(st.ok) << st.message;
    return j;
  }
  void RawExec(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db);
    sqlite3_close(db);
  }
  fs::path dir_;
  std::string path_;
};

TEST_F(StatusTest, SqliteKeepsStatuses) {
  std::unique_ptr<SqliteJournal> j = Open();
  ASSERT_TRUE(j);
  CheckStatuses(*j);
  j.reset();
  j = Open();  // they outlive the process that wrote them
  std::vector<CommitStatus> commits;
  ASSERT_TRUE(j->CommitStatuses("main", 1, &commits).ok);
  EXPECT_EQ(Describe(commits), "c1@main:failed ");
}

TEST_F(StatusTest, MemoryJournalKeepsStatusesTheSameWay) {
  MemoryJournal j;
  CheckStatuses(j);
}

// A journal written before the status tables existed (version 1: runs,
// steps, leases) is migrated forward on open and keeps what it held.
TEST_F(StatusTest, AnOlderJournalIsMigratedForward) {
  {
    std::unique_ptr<SqliteJournal> j = Open();
    ASSERT_TRUE(j);
    RunInfo run{0, "3f2a1b9c", "sha256:abc", "alice@host", 4242, 100, 0, ""};
    ASSERT_TRUE(j->BeginRun(&run).ok);
  }
  // Back to version 1: every table a later version added goes.
  std::vector<std::string> later;
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db,
                                 "SELECT name FROM sqlite_master WHERE type = 'table' AND name "
                                 "NOT IN ('runs', 'steps', 'leases', 'fencing', 'sqlite_sequence')",
                                 -1, &st, nullptr),
              SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW)
      later.push_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
    sqlite3_finalize(st);
    sqlite3_close(db);
  }
  ASSERT_TRUE(std::find(later.begin(), later.end(), "commits") != later.end());
  for (const std::string& table : later) RawExec("DROP TABLE " + table);
  RawExec("PRAGMA user_version = 1");
  std::unique_ptr<SqliteJournal> j = Open();
  ASSERT_TRUE(j);
  std::vector<RunInfo> runs;
  ASSERT_TRUE(j->Runs(0, &runs).ok);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].who, "alice@host");
  CheckStatuses(*j);
  EXPECT_TRUE(j->CheckIntegrity().ok);
}

TEST(ReconcileState, NamesRoundTrip) {
  for (ReconcileState s : {ReconcileState::kPending, ReconcileState::kPlanned,
                           ReconcileState::kApplied, ReconcileState::kHeld,
                           ReconcileState::kFailed})
    EXPECT_EQ(ParseReconcileState(ReconcileStateName(s)), s);
  EXPECT_EQ(ParseReconcileState("done"), std::nullopt);
}

}  // namespace
}  // namespace harc
