// The journal in one SQLite file (by default .harc/journal.db beside the fleet):
// what one reconciler, or several on one machine, did and who holds which
// cluster. See journal.h for what is recorded; this is how it is kept safe.
//
// - Private: missing parent directories are made 0700 and the file is created
//   0600 before SQLite opens it (its -wal and -shm files take the same mode);
//   an existing file that group or others may read is narrowed to 0600, and
//   Open says so, since step commands and output may be sensitive.
// - Durable: WAL with synchronous=FULL, so a recorded step or a taken lease
//   survives a crash of harc (SIGKILL) and of the machine (power loss): a
//   fencing token once handed out is never handed out again, and a completed
//   failover is never forgotten and repeated. Each record is one transaction.
// - Shared: every write is BEGIN IMMEDIATE under a busy timeout, so two harc
//   processes on one journal wait for each other instead of failing, and of
//   two racing for a lease exactly one wins.
// - Versioned: the schema version is PRAGMA user_version; Open migrates an
//   older journal forward in one transaction and refuses a newer one.
//
// Thread-safe: calls are serialized on one connection. Errors name the file
// and carry SQLite's message ("database or disk is full"); they never contain
// the recorded values (commands, output), which may hold secrets.
#pragma once

#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "reconciler/journal.h"

struct sqlite3;

namespace harc {

class SqliteJournal : public Journal {
 public:
  static constexpr int kSchemaVersion = 4;
  // How long a write waits for another process's transaction to finish.
  static constexpr int kBusyTimeoutMs = 10'000;
  // RecordStep keeps at most this much of the end of an output tail.
  static constexpr size_t kMaxOutputTail = 16 * 1024;

  // Opens the journal at `path`, creating it and its directories if missing,
  // and brings its schema up to date. *warning is set (else cleared) when the
  // file had to be made private.
  static JournalStatus Open(const std::string& path, std::unique_ptr<SqliteJournal>* out,
                            std::string* warning);
  ~SqliteJournal() override;
  SqliteJournal(const SqliteJournal&) = delete;
  SqliteJournal& operator=(const SqliteJournal&) = delete;

  const std::string& path() const { return path_; }
  // PRAGMA integrity_check: ok, or the problems SQLite found.
  JournalStatus CheckIntegrity();

  JournalStatus BeginRun(RunInfo* run) override;
  JournalStatus EndRun(int64_t run_id, const std::string& result, int64_t ended_ms) override;
  JournalStatus RecordStep(const StepRecord& step) override;
  JournalStatus AcquireLease(const std::string& cluster, const std::string& owner, int64_t now_ms,
                             int64_t ttl_ms, bool* taken, Lease* lease, Lease* holder) override;
  JournalStatus TakeOverLease(const std::string& cluster, int64_t gone_token,
                              const std::string& owner, int64_t now_ms, int64_t ttl_ms,
                              bool* taken, Lease* lease, Lease* holder) override;
  JournalStatus Heartbeat(const std::string& cluster, int64_t token, int64_t now_ms, int64_t ttl_ms,
                          bool* still_ours) override;
  JournalStatus ReleaseLease(const std::string& cluster, int64_t token) override;
  JournalStatus ForceUnlock(const std::string& cluster, int64_t token, bool* removed) override;
  JournalStatus Leases(std::vector<Lease>* out) override;
  JournalStatus Runs(int limit, std::vector<RunInfo>* out) override;
  JournalStatus Steps(int64_t run_id, std::vector<StepRecord>* out) override;
  JournalStatus Interrupted(const std::string& cluster, std::optional<RunInfo>* run,
                            std::optional<StepRecord>* step) override;
  JournalStatus RecordHeld(const HeldSetting& held) override;
  JournalStatus ClearHeld(const std::string& cluster, const std::string& member,
                          const std::string& setting) override;
  JournalStatus Held(std::vector<HeldSetting>* out) override;
  JournalStatus RecordDrift(std::vector<DriftRecord>* records) override;
  JournalStatus DriftSince(int64_t since_ms, std::vector<DriftRecord>* out) override;
  JournalStatus PutCommitStatus(const CommitStatus& status) override;
  JournalStatus CommitStatuses(const std::string& branch, int limit,
                               std::vector<CommitStatus>* out) override;
  JournalStatus PutClusterStatus(const ClusterCommitStatus& status) override;
  JournalStatus ClusterStatuses(const std::string& commit,
                                std::vector<ClusterCommitStatus>* out) override;

 private:
  SqliteJournal(std::string path, sqlite3* db) : path_(std::move(path)), db_(db) {}
  JournalStatus Configure();
  JournalStatus Migrate();
  // "journal PATH: <what>: <detail>"; the detail defaults to SQLite's last message.
  JournalStatus Fail(const std::string& what, const std::string& detail) const;
  JournalStatus Fail(const std::string& what) const;
  // AcquireLease, or TakeOverLease when gone_token > 0 (tokens start at 1).
  JournalStatus Acquire(const std::string& cluster, int64_t gone_token, const std::string& owner,
                        int64_t now_ms, int64_t ttl_ms, bool* taken, Lease* lease, Lease* holder);
  // Reads and writes inside a transaction; false with SQLite's message set.
  // REQUIRES: mu_ held.
  bool ReadLease(const std::string& cluster, std::optional<Lease>* out);
  bool NextToken(const std::string& cluster, int64_t* token);
  bool ReadRun(int64_t run_id, std::optional<RunInfo>* out);
  bool ReadLastStep(int64_t run_id, const std::string& cluster, std::optional<StepRecord>* out);
  bool LastOtherRunOn(const std::string& cluster, int64_t* run_id);

  std::mutex mu_;
  const std::string path_;
  sqlite3* const db_;
  std::set<int64_t> my_runs_;  // begun through this object: never "interrupted"
};

}  // namespace harc
