// The SQLite journal against real files in a temporary directory, including
// other processes: two racing for a lease, and one killed while recording.
#include "reconciler/sqlite_journal.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <random>

#include "reconciler/clock.h"

namespace harc {
namespace {

namespace fs = std::filesystem;

std::string Describe(const StepRecord& s) {
  return std::to_string(s.run_id) + " " + s.cluster + " #" + std::to_string(s.index) + " " +
         s.action + " " + s.member + " " + StepStateName(s.state) + " [" + s.command + "] " +
         std::to_string(s.exit_status) + " [" + s.output_tail + "] [" + s.reason + "] " +
         std::to_string(s.started_ms) + ".." + std::to_string(s.ended_ms);
}

std::string Describe(const RunInfo& r) {
  return std::to_string(r.id) + " " + r.commit + " " + r.plan_hash + " " + r.who + " " +
         std::to_string(r.pid) + " " + std::to_string(r.started_ms) + ".." +
         std::to_string(r.ended_ms) + " " + r.result;
}

StepRecord Step(int64_t run, const std::string& cluster, int index, StepState state) {
  StepRecord s;
  s.run_id = run;
  s.cluster = cluster;
  s.index = index;
  s.action = "upgrade";
  s.member = "fw-" + std::to_string(index);
  s.state = state;
  s.command = "install 7.4.2";
  s.started_ms = 1000 * index;
  if (state != StepState::kStarted) {
    s.exit_status = 0;
    s.output_tail = "ok\n";
    s.ended_ms = 1000 * index + 500;
  }
  return s;
}

mode_t ModeOf(const fs::path& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 ? st.st_mode & 07777 : 0;
}

// Runs `body` in a child process, which exits with its result.
pid_t Fork(const std::function<int()>& body) {
  pid_t pid = ::fork();
  if (pid == 0) ::_exit(body());
  return pid;
}

int WaitExit(pid_t pid) {
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

class SqliteJournalTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "harc-journal-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    path_ = (dir_ / "state" / ".harc" / "journal.db").string();
    journal_ = OpenOrDie();
  }
  void TearDown() override {
    journal_.reset();
    fs::remove_all(dir_);
  }
  std::unique_ptr<SqliteJournal> OpenOrDie() {
    std::unique_ptr<SqliteJournal> j;
    std::string warning;
    JournalStatus st = SqliteJournal::Open(path_, &j, &warning);
    EXPECT_TRUE(st.ok) << st.message;
    EXPECT_EQ(warning, "");
    return j;
  }
  int64_t NewRun(Journal& j, int64_t started_ms = 100) {
    RunInfo run{0, "3f2a1b9c", "sha256:abc", "alice@host", 4242, started_ms, 0, ""};
    JournalStatus st = j.BeginRun(&run);
    EXPECT_TRUE(st.ok) << st.message;
    return run.id;
  }
  // Opens the journal with SQLite directly, to tamper with it.
  void RawExec(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db);
    sqlite3_close(db);
  }

  fs::path dir_;
  std::string path_;
  std::unique_ptr<SqliteJournal> journal_;
};

// ------------------------------------------------------------ records

TEST_F(SqliteJournalTest, RunsAndStepsRoundTrip) {
  RunInfo run{0, "3f2a1b9c", "sha256:abc", "alice@host", 4242, 100, 0, ""};
  ASSERT_TRUE(journal_->BeginRun(&run).ok);
  EXPECT_GT(run.id, 0);
  StepRecord first = Step(run.id, "fw-ber", 1, StepState::kStarted);
  ASSERT_TRUE(journal_->RecordStep(first).ok);
  first = Step(run.id, "fw-ber", 1, StepState::kDone);  // the same row, finished
  ASSERT_TRUE(journal_->RecordStep(first).ok);
  StepRecord failed = Step(run.id, "fw-ber", 2, StepState::kFailed);
  failed.exit_status = 3;
  failed.output_tail = "line 1\nerror: no space left\n";
  failed.reason = "install exited 3";
  ASSERT_TRUE(journal_->RecordStep(failed).ok);
  StepRecord other = Step(run.id, "fw-ams", 1, StepState::kSkipped);
  other.reason = "already at 7.4.2";
  ASSERT_TRUE(journal_->RecordStep(other).ok);
  ASSERT_TRUE(journal_->EndRun(run.id, "held", 9000).ok);

  std::unique_ptr<SqliteJournal> reopened = OpenOrDie();
  std::vector<RunInfo> runs;
  ASSERT_TRUE(reopened->Runs(10, &runs).ok);
  ASSERT_EQ(runs.size(), 1u);
  run.ended_ms = 9000;
  run.result = "held";
  EXPECT_EQ(Describe(runs[0]), Describe(run));
  std::vector<StepRecord> steps;
  ASSERT_TRUE(reopened->Steps(run.id, &steps).ok);
  ASSERT_EQ(steps.size(), 3u);  // by cluster, then index
  EXPECT_EQ(Describe(steps[0]), Describe(other));
  EXPECT_EQ(Describe(steps[1]), Describe(first));
  EXPECT_EQ(Describe(steps[2]), Describe(failed));
}

TEST_F(SqliteJournalTest, HeldSettingsAreKeptUntilClearedAndOutliveAReopening) {
  ASSERT_TRUE(journal_->RecordHeld({"fw-ber", "m2", "failback", "auto", 3}).ok);
  ASSERT_TRUE(journal_->RecordHeld({"fw-ber", "m1", "failback", "auto", 3}).ok);
  ASSERT_TRUE(journal_->RecordHeld({"fw-ber", "m1", "failback", "manual", 4}).ok);  // replaces
  journal_ = OpenOrDie();
  std::vector<HeldSetting> held;
  ASSERT_TRUE(journal_->Held(&held).ok);
  ASSERT_EQ(held.size(), 2u);
  EXPECT_EQ(held[0].member, "m1");
  EXPECT_EQ(held[0].original, "manual");
  EXPECT_EQ(held[0].run_id, 4);
  EXPECT_EQ(held[1].member, "m2");
  ASSERT_TRUE(journal_->ClearHeld("fw-ber", "m1", "failback").ok);
  ASSERT_TRUE(journal_->ClearHeld("fw-ber", "m9", "failback").ok);  // none: no error
  ASSERT_TRUE(journal_->Held(&held).ok);
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(held[0].member, "m2");
}

TEST_F(SqliteJournalTest, RunsComeNewestFirstUpToTheLimit) {
  for (int i = 0; i < 5; ++i) NewRun(*journal_, 100 * i);
  std::vector<RunInfo> runs;
  ASSERT_TRUE(journal_->Runs(3, &runs).ok);
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0].started_ms, 400);
  EXPECT_EQ(runs[2].started_ms, 200);
  ASSERT_TRUE(journal_->Runs(0, &runs).ok);
  EXPECT_EQ(runs.size(), 5u);
}

TEST_F(SqliteJournalTest, OutputTailKeepsTheEndAndWholeCharacters) {
  int64_t run = NewRun(*journal_);
  StepRecord s = Step(run, "fw", 1, StepState::kFailed);
  s.output_tail = "ab\xc3\xa9" + std::string(SqliteJournal::kMaxOutputTail - 4, 'x') + "end";
  ASSERT_TRUE(journal_->RecordStep(s).ok);
  std::vector<StepRecord> steps;
  ASSERT_TRUE(journal_->Steps(run, &steps).ok);
  ASSERT_EQ(steps.size(), 1u);
  // The cut fell inside "é"; it moves past it rather than keep half.
  EXPECT_EQ(steps[0].output_tail.size(), SqliteJournal::kMaxOutputTail - 1);
  EXPECT_EQ(steps[0].output_tail.substr(steps[0].output_tail.size() - 3), "end");
}

TEST_F(SqliteJournalTest, ErrorsNameTheJournalAndSqlitesMessage) {
  JournalStatus st = journal_->RecordStep(Step(77, "fw-ber", 2, StepState::kStarted));
  EXPECT_FALSE(st.ok);
  EXPECT_EQ(st.message, "journal " + path_ +
                            ": cannot record step 2 of cluster fw-ber in run 77: FOREIGN KEY "
                            "constraint failed");
  st = journal_->EndRun(77, "converged", 1);
  EXPECT_EQ(st.message, "journal " + path_ + ": cannot record the end of run 77: no such run");
}

TEST_F(SqliteJournalTest, ErrorsNeverCarryTheRecordedValues) {
  StepRecord s = Step(77, "fw", 1, StepState::kFailed);
  s.command = "set password hunter2";
  s.output_tail = "token=hunter2";
  JournalStatus st = journal_->RecordStep(s);
  EXPECT_FALSE(st.ok);
  EXPECT_EQ(st.message.find("hunter2"), std::string::npos) << st.message;
}

// ------------------------------------------------------------ the file

TEST_F(SqliteJournalTest, FileIs0600InDirectories0700WhateverTheUmask) {
  journal_.reset();
  fs::remove_all(dir_ / "state");
  mode_t old = ::umask(0);
  journal_ = OpenOrDie();
  ::umask(old);
  NewRun(*journal_);  // so the -wal and -shm exist
  EXPECT_EQ(ModeOf(dir_ / "state"), 0700u);
  EXPECT_EQ(ModeOf(dir_ / "state" / ".harc"), 0700u);
  EXPECT_EQ(ModeOf(path_), 0600u);
  EXPECT_EQ(ModeOf(path_ + "-wal"), 0600u);
  EXPECT_EQ(ModeOf(path_ + "-shm"), 0600u);
  EXPECT_EQ(ModeOf(dir_), 0700u);  // mkdtemp's; an existing directory is left alone
}

TEST_F(SqliteJournalTest, AnOpenFileIsMadePrivateAndSaysSo) {
  journal_.reset();
  ASSERT_EQ(::chmod(path_.c_str(), 0644), 0);
  std::unique_ptr<SqliteJournal> j;
  std::string warning;
  ASSERT_TRUE(SqliteJournal::Open(path_, &j, &warning).ok);
  EXPECT_EQ(warning, path_ + " was open to group or others (mode 0644); made it 0600");
  EXPECT_EQ(ModeOf(path_), 0600u);
}

TEST_F(SqliteJournalTest, NotADatabaseIsRefusedNamingTheFile) {
  journal_.reset();
  fs::remove(path_);
  fs::remove(path_ + "-wal");
  fs::remove(path_ + "-shm");
  std::ofstream(path_) << std::string(4096, 'x');
  std::unique_ptr<SqliteJournal> j;
  std::string warning;
  JournalStatus st = SqliteJournal::Open(path_, &j, &warning);
  EXPECT_FALSE(st.ok);
  EXPECT_EQ(st.message, "journal " + path_ + ": cannot open: file is not a database");
  EXPECT_EQ(j, nullptr);
}

TEST_F(SqliteJournalTest, ADirectoryInTheWayIsReported) {
  journal_.reset();
  std::ofstream(dir_ / "file") << "x";
  std::string path = (dir_ / "file" / "journal.db").string();
  std::unique_ptr<SqliteJournal> j;
  std::string warning;
  JournalStatus st = SqliteJournal::Open(path, &j, &warning);
  EXPECT_FALSE(st.ok);
  EXPECT_EQ(st.message, "journal " + path + ": cannot open: Not a directory");
}

TEST_F(SqliteJournalTest, SchemaIsVersionedAndANewerOneRefused) {
  journal_.reset();
  RawExec("PRAGMA user_version = 99");
  std::unique_ptr<SqliteJournal> j;
  std::string warning;
  JournalStatus st = SqliteJournal::Open(path_, &j, &warning);
  EXPECT_FALSE(st.ok);
  EXPECT_EQ(st.message, "journal " + path_ +
                            ": schema version 99: newer than this harc knows (" +
                            std::to_string(SqliteJournal::kSchemaVersion) + "); use a newer harc");
}

TEST_F(SqliteJournalTest, IsInWalModeAndIntact) {
  EXPECT_TRUE(journal_->CheckIntegrity().ok);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "wal");
  sqlite3_finalize(st);
  sqlite3_close(db);
}

// ------------------------------------------------------------ drift

std::vector<DriftRecord> Check(int64_t checked_ms,
                               const std::vector<std::pair<std::string, std::string>>& statuses) {
  std::vector<DriftRecord> out;
  for (const auto& [cluster, status] : statuses)
    out.push_back({0, checked_ms, cluster, status, "3f2a1b9c", "alice@host",
                   status == "drifted" ? "version os on m1" : "",
                   "{\"cluster\":\"" + cluster + "\"}"});
  return out;
}

std::string Describe(const std::vector<DriftRecord>& records) {
  std::string out;
  for (const DriftRecord& r : records)
    out += std::to_string(r.check_id) + " " + std::to_string(r.checked_ms) + " " + r.cluster +
           " " + r.status + " [" + r.summary + "] " + r.commit + " " + r.who + " " + r.report +
           "\n";
  return out;
}

TEST_F(SqliteJournalTest, DriftReportsRoundTripFromWhereEachClusterEnteredTheWindow) {
  std::vector<std::vector<DriftRecord>> checks = {
      Check(100, {{"a", "drifted"}, {"b", "in-sync"}}), Check(200, {{"a", "in-sync"}}),
      Check(300, {{"b", "drifted"}})};
  for (size_t i = 0; i < checks.size(); ++i) {
    ASSERT_TRUE(journal_->RecordDrift(&checks[i]).ok);
    EXPECT_EQ(checks[i].back().check_id, static_cast<int64_t>(i) + 1);
  }
  std::vector<DriftRecord> out;
  ASSERT_TRUE(journal_->DriftSince(150, &out).ok);
  EXPECT_EQ(Describe(out),
            "1 100 a drifted [version os on m1] 3f2a1b9c alice@host {\"cluster\":\"a\"}\n"
            "1 100 b in-sync [] 3f2a1b9c alice@host {\"cluster\":\"b\"}\n"
            "2 200 a in-sync [] 3f2a1b9c alice@host {\"cluster\":\"a\"}\n"
            "3 300 b drifted [version os on m1] 3f2a1b9c alice@host {\"cluster\":\"b\"}\n");
  ASSERT_TRUE(journal_->DriftSince(250, &out).ok);
  EXPECT_EQ(Describe(out),
            "1 100 b in-sync [] 3f2a1b9c alice@host {\"cluster\":\"b\"}\n"
            "2 200 a in-sync [] 3f2a1b9c alice@host {\"cluster\":\"a\"}\n"
            "3 300 b drifted [version os on m1] 3f2a1b9c alice@host {\"cluster\":\"b\"}\n");
  ASSERT_TRUE(journal_->DriftSince(301, &out).ok);
  EXPECT_EQ(out.size(), 2u);  // the window is empty; where each cluster stands
}

TEST_F(SqliteJournalTest, AnUnknownDriftStatusIsRefusedAndNothingOfTheReportKept) {
  std::vector<DriftRecord> records = Check(100, {{"a", "in-sync"}, {"b", "sideways"}});
  JournalStatus st = journal_->RecordDrift(&records);
  EXPECT_FALSE(st.ok);
  EXPECT_EQ(st.message.rfind("journal " + path_ + ": cannot record a drift report: CHECK", 0), 0u)
      << st.message;
  std::vector<DriftRecord> out;
  ASSERT_TRUE(journal_->DriftSince(0, &out).ok);
  EXPECT_TRUE(out.empty());
}

// What harc 0.1 wrote (schema version 1), frozen: newer harcs must open it.
constexpr char kVersion1Schema[] =
    "CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, commit_hash TEXT NOT NULL,"
    "  plan_hash TEXT NOT NULL, who TEXT NOT NULL, pid INTEGER NOT NULL,"
    "  started_ms INTEGER NOT NULL, ended_ms INTEGER NOT NULL DEFAULT 0,"
    "  result TEXT NOT NULL DEFAULT '');"
    "CREATE TABLE steps (run_id INTEGER NOT NULL REFERENCES runs(id), cluster TEXT NOT NULL,"
    "  step_index INTEGER NOT NULL, seq INTEGER NOT NULL, action TEXT NOT NULL,"
    "  member TEXT NOT NULL,"
    "  state TEXT NOT NULL CHECK (state IN ('started', 'skipped', 'done', 'failed')),"
    "  command TEXT NOT NULL, exit_status INTEGER NOT NULL, output_tail TEXT NOT NULL,"
    "  reason TEXT NOT NULL, started_ms INTEGER NOT NULL, ended_ms INTEGER NOT NULL,"
    "  PRIMARY KEY (run_id, cluster, step_index));"
    "CREATE INDEX steps_by_cluster ON steps (cluster, run_id);"
    "CREATE INDEX steps_by_seq ON steps (seq);"
    "CREATE TABLE leases (cluster TEXT PRIMARY KEY, owner TEXT NOT NULL, token INTEGER NOT NULL,"
    "  expires_ms INTEGER NOT NULL, heartbeat_ms INTEGER NOT NULL);"
    "CREATE TABLE fencing (cluster TEXT PRIMARY KEY, last_token INTEGER NOT NULL);"
    "INSERT INTO runs VALUES (7, 'c0ffee', 'sha256:abc', 'bob@old', 99, 1000, 2000, 'converged');"
    "INSERT INTO fencing VALUES ('fw-ber', 41);"
    "PRAGMA user_version = 1;";

TEST_F(SqliteJournalTest, AVersion1JournalIsMigratedKeepingWhatItHolds) {
  journal_.reset();
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path_ + suffix);
  RawExec(kVersion1Schema);
  fs::permissions(path_, fs::perms::owner_read | fs::perms::owner_write);
  journal_ = OpenOrDie();
  std::vector<RunInfo> runs;
  ASSERT_TRUE(journal_->Runs(0, &runs).ok);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(Describe(runs[0]), "7 c0ffee sha256:abc bob@old 99 1000..2000 converged");
  bool taken = false;
  Lease lease, holder;
  ASSERT_TRUE(journal_->AcquireLease("fw-ber", "alice", 0, 1000, &taken, &lease, &holder).ok);
  EXPECT_EQ(lease.token, 42);  // the fencing counter survived
  std::vector<DriftRecord> records = Check(100, {{"a", "drifted"}});
  ASSERT_TRUE(journal_->RecordDrift(&records).ok);
  EXPECT_TRUE(journal_->CheckIntegrity().ok);
}

// ------------------------------------------------------------ leases

class LeaseTest : public SqliteJournalTest {
 protected:
  static constexpr int64_t kTtl = 60'000;
  // Takes the lease or fails the test; returns its token.
  int64_t Take(const std::string& cluster, const std::string& owner) {
    bool taken = false;
    Lease lease, holder;
    JournalStatus st =
        journal_->AcquireLease(cluster, owner, clock_.WallMs(), kTtl, &taken, &lease, &holder);
    EXPECT_TRUE(st.ok) << st.message;
    EXPECT_TRUE(taken) << cluster << " held by " << holder.owner;
    EXPECT_EQ(lease.owner, owner);
    EXPECT_EQ(lease.expires_ms, clock_.WallMs() + kTtl);
    return lease.token;
  }
  // Expects the lease to be refused; returns the holder.
  Lease Refused(const std::string& cluster, const std::string& owner) {
    bool taken = true;
    Lease lease, holder;
    JournalStatus st =
        journal_->AcquireLease(cluster, owner, clock_.WallMs(), kTtl, &taken, &lease, &holder);
    EXPECT_TRUE(st.ok) << st.message;
    EXPECT_FALSE(taken);
    return holder;
  }
  bool Beat(const std::string& cluster, int64_t token) {
    bool ours = false;
    EXPECT_TRUE(journal_->Heartbeat(cluster, token, clock_.WallMs(), kTtl, &ours).ok);
    return ours;
  }
  FakeClock clock_;
};

TEST_F(LeaseTest, ALiveLeaseIsRefusedNamingItsHolder) {
  int64_t token = Take("fw-ber", "alice@a pid 1 run 1");
  EXPECT_EQ(token, 1);
  clock_.Advance(kTtl - 1);
  Lease holder = Refused("fw-ber", "bob@b pid 2 run 2");
  EXPECT_EQ(holder.cluster, "fw-ber");
  EXPECT_EQ(holder.owner, "alice@a pid 1 run 1");
  EXPECT_EQ(holder.token, 1);
  EXPECT_EQ(holder.expires_ms, clock_.WallMs() + 1);
  Refused("fw-ber", "alice@a pid 1 run 1");           // even by its own owner
  EXPECT_EQ(Take("fw-ams", "bob@b pid 2 run 2"), 1);  // tokens are per cluster
}

TEST_F(LeaseTest, AnExpiredLeaseIsTakenOverAndItsHolderLosesIt) {
  int64_t old = Take("fw-ber", "alice");
  clock_.Advance(kTtl);  // expires_ms == now: expired
  int64_t fresh = Take("fw-ber", "bob");
  EXPECT_GT(fresh, old);
  EXPECT_FALSE(Beat("fw-ber", old));                      // alice must stop at once
  ASSERT_TRUE(journal_->ReleaseLease("fw-ber", old).ok);  // and cannot free bob's lease
  EXPECT_EQ(Refused("fw-ber", "carol").owner, "bob");
}

TEST_F(LeaseTest, AnExpiredLeaseTakenOverIsReturnedAsTheHolder) {
  int64_t old = Take("fw-ber", "alice");
  clock_.Advance(kTtl);
  bool taken = false;
  Lease lease, holder;
  ASSERT_TRUE(journal_->AcquireLease("fw-ber", "bob", clock_.WallMs(), kTtl, &taken, &lease,
                                     &holder).ok);
  EXPECT_TRUE(taken);
  EXPECT_EQ(holder.owner, "alice");
  EXPECT_EQ(holder.token, old);
  ASSERT_TRUE(journal_->ReleaseLease("fw-ber", lease.token).ok);
  ASSERT_TRUE(journal_->AcquireLease("fw-ber", "carol", clock_.WallMs(), kTtl, &taken, &lease,
                                     &holder).ok);
  EXPECT_TRUE(taken);
  EXPECT_EQ(holder.token, 0);  // there was none
}

// The holder's process is gone: its live lease is taken over, once, and
// only while it still has the token the caller judged.
TEST_F(LeaseTest, ALiveLeaseIsTakenOverOnlyByItsGoneToken) {
  int64_t dead = Take("fw-ber", "alice@a pid 1 run 1");
  bool taken = true;
  Lease lease, holder;
  ASSERT_TRUE(journal_->TakeOverLease("fw-ber", dead + 1, "bob", clock_.WallMs(), kTtl, &taken,
                                      &lease, &holder).ok);
  EXPECT_FALSE(taken);  // not the token judged gone
  EXPECT_EQ(holder.token, dead);
  ASSERT_TRUE(journal_->TakeOverLease("fw-ber", dead, "bob", clock_.WallMs(), kTtl, &taken,
                                      &lease, &holder).ok);
  EXPECT_TRUE(taken);
  EXPECT_EQ(lease.owner, "bob");
  EXPECT_GT(lease.token, dead);
  EXPECT_EQ(holder.owner, "alice@a pid 1 run 1");
  EXPECT_FALSE(Beat("fw-ber", dead));
  // A second run that judged the same holder gone finds bob's lease: refused.
  ASSERT_TRUE(journal_->TakeOverLease("fw-ber", dead, "carol", clock_.WallMs(), kTtl, &taken,
                                      &lease, &holder).ok);
  EXPECT_FALSE(taken);
  EXPECT_EQ(holder.owner, "bob");
}

TEST_F(LeaseTest, HeartbeatsKeepALeaseAlive) {
  int64_t token = Take("fw-ber", "alice");
  for (int i = 0; i < 5; ++i) {
    clock_.Advance(kTtl / 2);
    EXPECT_TRUE(Beat("fw-ber", token));
  }
  std::vector<Lease> leases;
  ASSERT_TRUE(journal_->Leases(&leases).ok);
  ASSERT_EQ(leases.size(), 1u);
  EXPECT_EQ(leases[0].heartbeat_ms, clock_.WallMs());
  EXPECT_EQ(leases[0].expires_ms, clock_.WallMs() + kTtl);
  Refused("fw-ber", "bob");
  // Expired but not taken over: still ours, and renewed.
  clock_.Advance(3 * kTtl);
  EXPECT_TRUE(Beat("fw-ber", token));
  Refused("fw-ber", "bob");
}

TEST_F(LeaseTest, TokensGrowAcrossReleaseTakeoverAndReopening) {
  std::vector<int64_t> tokens;
  tokens.push_back(Take("fw-ber", "a"));
  ASSERT_TRUE(journal_->ReleaseLease("fw-ber", tokens.back()).ok);
  tokens.push_back(Take("fw-ber", "b"));
  clock_.Advance(kTtl);
  tokens.push_back(Take("fw-ber", "c"));
  bool removed = false;
  ASSERT_TRUE(journal_->ForceUnlock("fw-ber", tokens.back(), &removed).ok);
  journal_ = OpenOrDie();
  tokens.push_back(Take("fw-ber", "d"));
  EXPECT_EQ(tokens, (std::vector<int64_t>{1, 2, 3, 4}));
}

TEST_F(LeaseTest, ForceUnlockNeedsTheCurrentToken) {
  int64_t token = Take("fw-ber", "alice");
  bool removed = true;
  ASSERT_TRUE(journal_->ForceUnlock("fw-ber", token + 1, &removed).ok);
  EXPECT_FALSE(removed);
  ASSERT_TRUE(journal_->ForceUnlock("fw-ams", token, &removed).ok);
  EXPECT_FALSE(removed);
  Refused("fw-ber", "bob");
  ASSERT_TRUE(journal_->ForceUnlock("fw-ber", token, &removed).ok);
  EXPECT_TRUE(removed);
  EXPECT_FALSE(Beat("fw-ber", token));  // the unlocked run stops at its next heartbeat
  EXPECT_EQ(Take("fw-ber", "bob"), token + 1);
}

TEST_F(LeaseTest, AWallClockStepBackDoesNotRewindTokens) {
  int64_t first = Take("fw-ber", "alice");
  clock_.Advance(kTtl);
  clock_.JumpWall(-10 * kTtl);  // now before the first lease was even taken
  ASSERT_TRUE(journal_->ReleaseLease("fw-ber", first).ok);
  EXPECT_EQ(Take("fw-ber", "bob"), first + 1);
}

TEST_F(LeaseTest, TwoProcessesRacingForALeaseNeverBothWin) {
  constexpr int kRounds = 50;
  struct Child {
    int go[2];
    int result[2];
    pid_t pid;
  } children[2];
  for (int c = 0; c < 2; ++c) {
    Child& ch = children[c];
    ASSERT_EQ(::pipe(ch.go), 0);
    ASSERT_EQ(::pipe(ch.result), 0);
    ch.pid = Fork([&ch, c, this] {
      std::unique_ptr<SqliteJournal> j;
      std::string warning;
      JournalStatus opened = SqliteJournal::Open(path_, &j, &warning);
      for (int round = 0; round < kRounds; ++round) {
        char byte;
        if (::read(ch.go[0], &byte, 1) != 1) return 3;
        bool taken = false;
        Lease lease, holder;
        // Each round's lease outlives its round only by half: the next
        // round is a race to take over an expired lease.
        JournalStatus st = opened.ok ? j->AcquireLease("fw-ber", "child " + std::to_string(c),
                                                       round * 1000, 500, &taken, &lease, &holder)
                                     : opened;
        if (!st.ok) ::write(STDERR_FILENO, st.message.data(), st.message.size());
        char answer = !st.ok ? 'E' : taken ? 'W' : 'L';
        if (::write(ch.result[1], &answer, 1) != 1) return 4;
      }
      return 0;
    });
    ASSERT_GT(ch.pid, 0);
  }
  for (int round = 0; round < kRounds; ++round) {
    for (Child& ch : children) ASSERT_EQ(::write(ch.go[1], "g", 1), 1);
    std::string answers;
    for (Child& ch : children) {
      char a = '?';
      ASSERT_EQ(::read(ch.result[0], &a, 1), 1);
      answers += a;
    }
    EXPECT_TRUE(answers == "WL" || answers == "LW") << "round " << round << ": " << answers;
  }
  for (Child& ch : children) {
    EXPECT_EQ(WaitExit(ch.pid), 0);
    for (int fd : {ch.go[0], ch.go[1], ch.result[0], ch.result[1]}) ::close(fd);
  }
  std::vector<Lease> leases;
  ASSERT_TRUE(journal_->Leases(&leases).ok);
  ASSERT_EQ(leases.size(), 1u);
  EXPECT_EQ(leases[0].token, kRounds);  // one new token per round, none lost or repeated
}

// ------------------------------------------------------------ interruption

TEST_F(SqliteJournalTest, InterruptedReportsAnUnfinishedRunOfAnotherProcess) {
  std::unique_ptr<SqliteJournal> other = OpenOrDie();  // as if another process
  int64_t killed = NewRun(*other);
  ASSERT_TRUE(other->RecordStep(Step(killed, "fw-ber", 1, StepState::kDone)).ok);
  ASSERT_TRUE(other->RecordStep(Step(killed, "fw-ber", 3, StepState::kDone)).ok);
  ASSERT_TRUE(other->RecordStep(Step(killed, "fw-ber", 2, StepState::kStarted)).ok);
  ASSERT_TRUE(other->RecordStep(Step(killed, "fw-ams", 1, StepState::kStarted)).ok);
  int64_t mine = NewRun(*journal_);
  ASSERT_TRUE(journal_->RecordStep(Step(mine, "fw-ber", 1, StepState::kStarted)).ok);

  std::optional<RunInfo> run;
  std::optional<StepRecord> step;
  ASSERT_TRUE(journal_->Interrupted("fw-ber", &run, &step).ok);
  ASSERT_TRUE(run && step);
  EXPECT_EQ(run->id, killed);  // not mine, though it is newer
  EXPECT_EQ(step->index, 2);   // the last recorded, not the highest
  EXPECT_EQ(step->state, StepState::kStarted);
  ASSERT_TRUE(journal_->Interrupted("fw-zrh", &run, &step).ok);
  EXPECT_FALSE(run || step);
}

TEST_F(SqliteJournalTest, InterruptedIgnoresARunThatEndedOrWasFollowedByOne) {
  std::unique_ptr<SqliteJournal> a = OpenOrDie(), b = OpenOrDie(), c = OpenOrDie();
  int64_t killed = NewRun(*a);
  ASSERT_TRUE(a->RecordStep(Step(killed, "fw-ber", 1, StepState::kStarted)).ok);
  ASSERT_TRUE(a->EndRun(killed, "interrupted", 500).ok);  // marked by a later run: still told
  std::optional<RunInfo> run;
  std::optional<StepRecord> step;
  ASSERT_TRUE(journal_->Interrupted("fw-ber", &run, &step).ok);
  ASSERT_TRUE(run);
  EXPECT_EQ(run->result, "interrupted");
  int64_t finished = NewRun(*b);  // then a run finished the cluster
  ASSERT_TRUE(b->RecordStep(Step(finished, "fw-ber", 1, StepState::kDone)).ok);
  ASSERT_TRUE(b->EndRun(finished, "converged", 900).ok);
  ASSERT_TRUE(journal_->Interrupted("fw-ber", &run, &step).ok);
  EXPECT_FALSE(run || step);
}

TEST_F(SqliteJournalTest, AKilledProcessLeavesAJournalThatReadsConsistently) {
  std::mt19937 random(7);
  for (int acknowledged_before_kill : {1, 2, 5, 12, 31}) {
    int progress[2];
    ASSERT_EQ(::pipe(progress), 0);
    pid_t pid = Fork([&] {
      std::unique_ptr<SqliteJournal> j;
      std::string warning;
      if (!SqliteJournal::Open(path_, &j, &warning).ok) return 2;
      int64_t run = NewRun(*j);
      for (int i = 1;; ++i)
        for (StepState s : {StepState::kStarted, StepState::kDone}) {
          if (!j->RecordStep(Step(run, "fw-ber", i, s)).ok) return 3;
          if (::write(progress[1], "r", 1) != 1) return 4;
        }
    });
    ASSERT_GT(pid, 0);
    ::close(progress[1]);
    char byte;
    for (int n = 0; n < acknowledged_before_kill; ++n) ASSERT_EQ(::read(progress[0], &byte, 1), 1);
    ::usleep(std::uniform_int_distribution<useconds_t>(0, 3000)(random));  // anywhere in a record
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    EXPECT_EQ(WaitExit(pid), 128 + SIGKILL);
    ::close(progress[0]);

    std::unique_ptr<SqliteJournal> after = OpenOrDie();
    JournalStatus intact = after->CheckIntegrity();
    ASSERT_TRUE(intact.ok) << intact.message;
    std::vector<RunInfo> runs;
    ASSERT_TRUE(after->Runs(1, &runs).ok);
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(runs[0].ended_ms, 0);
    std::vector<StepRecord> steps;
    ASSERT_TRUE(after->Steps(runs[0].id, &steps).ok);
    // Every acknowledged record is there; steps are 1..n, all done but the last.
    int records = 0;
    for (size_t i = 0; i < steps.size(); ++i) {
      EXPECT_EQ(steps[i].index, static_cast<int>(i) + 1);
      if (i + 1 < steps.size()) {
        EXPECT_EQ(steps[i].state, StepState::kDone);
      }
      records += steps[i].state == StepState::kDone ? 2 : 1;
    }
    EXPECT_GE(records, acknowledged_before_kill);
    std::optional<RunInfo> run;
    std::optional<StepRecord> step;
    ASSERT_TRUE(after->Interrupted("fw-ber", &run, &step).ok);
    ASSERT_TRUE(run && step);
    EXPECT_EQ(run->id, runs[0].id);
    EXPECT_EQ(Describe(*step), Describe(steps.back()));
    NewRun(*after);  // and it can be written again: no lock left behind
  }
}

}  // namespace
}  // namespace harc
