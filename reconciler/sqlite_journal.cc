#include "reconciler/sqlite_journal.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "reconciler/sqlite_stmt.h"

namespace harc {
namespace {

// Forward-only migrations: kMigrations[v] takes a journal from version v to
// v + 1. Never edit one that has shipped; append a new one.
const char* const kMigrations[] = {
    // 0 -> 1
    "CREATE TABLE runs ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"  // never reused, even after pruning
    "  commit_hash TEXT NOT NULL, plan_hash TEXT NOT NULL, who TEXT NOT NULL,"
    "  pid INTEGER NOT NULL, started_ms INTEGER NOT NULL,"
    "  ended_ms INTEGER NOT NULL DEFAULT 0, result TEXT NOT NULL DEFAULT '');"
    "CREATE TABLE steps ("
    "  run_id INTEGER NOT NULL REFERENCES runs(id), cluster TEXT NOT NULL,"
    "  step_index INTEGER NOT NULL,"
    "  seq INTEGER NOT NULL,"  // journal-wide order of the row's latest write
    "  action TEXT NOT NULL, member TEXT NOT NULL,"
    "  state TEXT NOT NULL CHECK (state IN ('started', 'skipped', 'done', 'failed')),"
    "  command TEXT NOT NULL, exit_status INTEGER NOT NULL, output_tail TEXT NOT NULL,"
    "  reason TEXT NOT NULL, started_ms INTEGER NOT NULL, ended_ms INTEGER NOT NULL,"
    "  PRIMARY KEY (run_id, cluster, step_index));"
    "CREATE INDEX steps_by_cluster ON steps (cluster, run_id);"
    "CREATE INDEX steps_by_seq ON steps (seq);"
    "CREATE TABLE leases ("
    "  cluster TEXT PRIMARY KEY, owner TEXT NOT NULL, token INTEGER NOT NULL,"
    "  expires_ms INTEGER NOT NULL, heartbeat_ms INTEGER NOT NULL);"
    // The last fencing token handed out per cluster; outlives its lease.
    "CREATE TABLE fencing (cluster TEXT PRIMARY KEY, last_token INTEGER NOT NULL);",
    // 1 -> 2
    "CREATE TABLE drift ("
    "  check_id INTEGER NOT NULL, cluster TEXT NOT NULL, checked_ms INTEGER NOT NULL,"
    "  status TEXT NOT NULL CHECK (status IN ('in-sync', 'drifted', 'unobservable')),"
    "  commit_hash TEXT NOT NULL, who TEXT NOT NULL, summary TEXT NOT NULL, report TEXT NOT NULL,"
    "  PRIMARY KEY (check_id, cluster));"
    "CREATE INDEX drift_by_time ON drift (checked_ms);"
    "CREATE INDEX drift_by_cluster ON drift (cluster, check_id);",
    // 2 -> 3: harc watch's status per commit and per cluster at a commit.
    // seq: journal-wide order of the row's latest write ("newest").
    "CREATE TABLE commits ("
    "  commit_hash TEXT PRIMARY KEY, branch TEXT NOT NULL, subject TEXT NOT NULL,"
    "  author TEXT NOT NULL, committed_ms INTEGER NOT NULL, signer TEXT NOT NULL,"
    "  state TEXT NOT NULL CHECK (state IN ('pending', 'planned', 'applied', 'held', 'failed')),"
    "  reason TEXT NOT NULL, run_id INTEGER NOT NULL, seen_ms INTEGER NOT NULL,"
    "  updated_ms INTEGER NOT NULL, seq INTEGER NOT NULL);"
    "CREATE INDEX commits_by_seq ON commits (seq);"
    "CREATE TABLE cluster_status ("
    "  commit_hash TEXT NOT NULL, cluster TEXT NOT NULL,"
    "  state TEXT NOT NULL CHECK (state IN ('pending', 'planned', 'applied', 'held', 'failed')),"
    "  reason TEXT NOT NULL, steps INTEGER NOT NULL, run_id INTEGER NOT NULL,"
    "  updated_ms INTEGER NOT NULL, seq INTEGER NOT NULL,"
    "  PRIMARY KEY (commit_hash, cluster));"
    "CREATE INDEX cluster_status_by_seq ON cluster_status (cluster, seq);",
    // 3 -> 4: settings held for a run until they are restored.
    "CREATE TABLE held_settings ("
    "  cluster TEXT NOT NULL, member TEXT NOT NULL, setting TEXT NOT NULL,"
    "  original TEXT NOT NULL, run_id INTEGER NOT NULL,"
    "  PRIMARY KEY (cluster, member, setting));",
};
static_assert(std::size(kMigrations) == SqliteJournal::kSchemaVersion);

const char kRunColumns[] = "id, commit_hash, plan_hash, who, pid, started_ms, ended_ms, result";
const char kStepColumns[] =
    "run_id, cluster, step_index, action, member, state, command, exit_status, output_tail, "
    "reason, started_ms, ended_ms";
const char kLeaseColumns[] = "cluster, owner, token, expires_ms, heartbeat_ms";
const char kDriftColumns[] =
    "check_id, checked_ms, cluster, status, commit_hash, who, summary, report";

using sqlite::Exec;
using sqlite::InTransaction;
using sqlite::Stmt;

// Runs `stmt`, which changes at most one row, in its own write transaction;
// *changed tells whether it did. "" or SQLite's message.
std::string ChangeOne(sqlite3* db, Stmt& stmt, bool* changed) {
  *changed = false;
  std::string error = InTransaction(db, "BEGIN IMMEDIATE", [&] {
    if (!stmt.Run()) return false;
    *changed = sqlite3_changes(db) == 1;
    return true;
  });
  if (!error.empty()) *changed = false;
  return error;
}

RunInfo RunFromRow(const Stmt& s) {
  return RunInfo{s.Int(0), s.Text(1), s.Text(2), s.Text(3),
                 s.Int(4), s.Int(5),  s.Int(6),  s.Text(7)};
}

StepState StepStateFromName(const std::string& name) {
  for (StepState s : {StepState::kSkipped, StepState::kDone, StepState::kFailed})
    if (name == StepStateName(s)) return s;
  return StepState::kStarted;  // the CHECK constraint admits nothing else
}

StepRecord StepFromRow(const Stmt& s) {
  StepRecord r;
  r.run_id = s.Int(0);
  r.cluster = s.Text(1);
  r.index = static_cast<int>(s.Int(2));
  r.action = s.Text(3);
  r.member = s.Text(4);
  r.state = StepStateFromName(s.Text(5));
  r.command = s.Text(6);
  r.exit_status = static_cast<int>(s.Int(7));
  r.output_tail = s.Text(8);
  r.reason = s.Text(9);
  r.started_ms = s.Int(10);
  r.ended_ms = s.Int(11);
  return r;
}

Lease LeaseFromRow(const Stmt& s) {
  return Lease{s.Text(0), s.Text(1), s.Int(2), s.Int(3), s.Int(4)};
}

DriftRecord DriftFromRow(const Stmt& s) {
  return DriftRecord{s.Int(0),  s.Int(1),  s.Text(2), s.Text(3),
                     s.Text(4), s.Text(5), s.Text(6), s.Text(7)};
}

// The last `max` bytes of `text`, not starting inside a UTF-8 sequence.
std::string Tail(const std::string& text, size_t max) {
  if (text.size() <= max) return text;
  size_t start = text.size() - max;
  while (start < text.size() && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) ++start;
  return text.substr(start);
}

// ------------------------------------------------------------ the file

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

// Makes a new entry in `dir` durable: a journal whose name a power loss
// forgot would lose every record in it. Best effort.
void SyncDirectory(const std::filesystem::path& dir) {
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

// Makes the missing directories above `file`, each 0700. "" or the error.
std::string MakePrivateParents(const std::string& file) {
  std::filesystem::path dir = std::filesystem::path(file).parent_path();
  std::filesystem::path prefix;
  for (const std::filesystem::path& part : dir) {
    prefix /= part;
    struct stat st {};
    if (::stat(prefix.c_str(), &st) == 0) continue;
    if (::mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST)
      return Errno("cannot create directory " + prefix.string());
    ::chmod(prefix.c_str(), 0700);  // whatever the umask took away
    SyncDirectory(prefix.parent_path());
  }
  return "";
}

// Narrows `path` to 0600 if group or others had any access; notes it in *warning.
std::string MakePrivate(const std::string& path, std::string* warning) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || (st.st_mode & 077) == 0) return "";
  if (::chmod(path.c_str(), 0600) != 0) return Errno("cannot make " + path + " private");
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
  if (!warning->empty()) *warning += "; ";
  *warning += path + " was open to group or others (mode " + mode + "); made it 0600";
  return "";
}

// Creates the journal file 0600 if it is missing (before SQLite would create
// it with the umask's mode) and makes an existing one and its -wal and -shm
// private. "" or the error.
std::string PrepareFile(const std::string& path, std::string* warning) {
  std::string error = MakePrivateParents(path);
  if (!error.empty()) return error;
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) SyncDirectory(std::filesystem::path(path).parent_path());
  if (fd < 0 && errno == EEXIST) fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return Errno("cannot open");
  struct stat st {};
  bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  ::close(fd);  // before SQLite opens it: closing any descriptor drops its POSIX locks
  if (!regular) return "not a regular file";
  for (const char* suffix : {"", "-wal", "-shm"}) {
    error = MakePrivate(path + suffix, warning);
    if (!error.empty()) return error;
  }
  return "";
}

}  // namespace

// ------------------------------------------------------------ opening

JournalStatus SqliteJournal::Open(const std::string& path, std::unique_ptr<SqliteJournal>* out,
                                  std::string* warning) {
  warning->clear();
  std::string error = PrepareFile(path, warning);
  if (!error.empty()) return JournalStatus::Error("journal " + path + ": " + error);
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    error = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return JournalStatus::Error("journal " + path + ": cannot open: " + error);
  }
  std::unique_ptr<SqliteJournal> journal(new SqliteJournal(path, db));
  JournalStatus status = journal->Configure();
  if (status.ok) status = journal->Migrate();
  if (status.ok) *out = std::move(journal);
  return status;
}

SqliteJournal::~SqliteJournal() { sqlite3_close(db_); }

JournalStatus SqliteJournal::Fail(const std::string& what, const std::string& detail) const {
  return JournalStatus::Error("journal " + path_ + ": " + what + ": " + detail);
}

JournalStatus SqliteJournal::Fail(const std::string& what) const {
  return Fail(what, sqlite3_errmsg(db_));
}

JournalStatus SqliteJournal::Configure() {
  sqlite3_extended_result_codes(db_, 1);
  if (sqlite3_busy_timeout(db_, kBusyTimeoutMs) != SQLITE_OK) return Fail("cannot open");
  std::string mode;
  {
    Stmt wal(db_, "PRAGMA journal_mode = WAL");
    if (!wal.Next()) return Fail("cannot open");
    mode = wal.Text(0);
  }
  if (mode != "wal") return Fail("cannot open", "WAL mode refused (journal mode " + mode + ")");
  // FULL: with WAL, NORMAL loses the last commits on power loss, and with
  // them a handed-out fencing token or a completed failover.
  if (!Exec(db_, "PRAGMA synchronous = FULL") || !Exec(db_, "PRAGMA foreign_keys = ON"))
    return Fail("cannot open");
  return JournalStatus::Ok();
}

JournalStatus SqliteJournal::Migrate() {
  int64_t found = 0;
  auto read_version = [&] {
    Stmt v(db_, "PRAGMA user_version");
    if (!v.Next()) return false;
    found = v.Int(0);
    return true;
  };
  if (!read_version()) return Fail("cannot read the schema version");
  if (found == kSchemaVersion) return JournalStatus::Ok();
  bool too_new = false;
  std::string error = InTransaction(db_, "BEGIN IMMEDIATE", [&] {
    if (!read_version()) return false;  // again: another process may have migrated it
    if (found > kSchemaVersion || found < 0) {
      too_new = true;
      return false;
    }
    for (int64_t v = found; v < kSchemaVersion; ++v)
      if (!Exec(db_, kMigrations[v])) return false;
    std::string set = "PRAGMA user_version = " + std::to_string(kSchemaVersion);
    return Exec(db_, set.c_str());
  });
  if (too_new)
    return Fail(
        "schema version " + std::to_string(found),
        "newer than this harc knows (" + std::to_string(kSchemaVersion) + "); use a newer harc");
  if (!error.empty()) return Fail("cannot migrate the schema", error);
  return JournalStatus::Ok();
}

JournalStatus SqliteJournal::CheckIntegrity() {
  std::lock_guard lock(mu_);
  Stmt check(db_, "PRAGMA integrity_check");
  std::string problems;
  while (check.Next())
    if (check.Text(0) != "ok") problems += (problems.empty() ? "" : "; ") + check.Text(0);
  if (!check.ok()) return Fail("cannot check integrity");
  if (!problems.empty()) return Fail("damaged", problems);
  return JournalStatus::Ok();
}

// ------------------------------------------------------------ runs and steps

JournalStatus SqliteJournal::BeginRun(RunInfo* run) {
  std::lock_guard lock(mu_);
  std::string error = InTransaction(db_, "BEGIN IMMEDIATE", [&] {
    Stmt insert(db_,
                "INSERT INTO runs (commit_hash, plan_hash, who, pid, started_ms, ended_ms, "
                "result) VALUES (?, ?, ?, ?, ?, ?, ?)");
    insert.Bind(run->commit).Bind(run->plan_hash).Bind(run->who).Bind(run->pid);
    insert.Bind(run->started_ms).Bind(run->ended_ms).Bind(run->result);
    if (!insert.Run()) return false;
    run->id = sqlite3_last_insert_rowid(db_);
    return true;
  });
  if (!error.empty()) return Fail("cannot record the start of a run", error);
  my_runs_.insert(run->id);
  return JournalStatus::Ok();
}

JournalStatus SqliteJournal::EndRun(int64_t run_id, const std::string& result, int64_t ended_ms) {
  std::lock_guard lock(mu_);
  int changed = 0;
  std::string error = InTransaction(db_, "BEGIN IMMEDIATE", [&] {
    Stmt update(db_, "UPDATE runs SET ended_ms = ?, result = ? WHERE id = ?");
    update.Bind(ended_ms).Bind(result).Bind(run_id);
    bool ok = update.Run();
    changed = sqlite3_changes(db_);
    return ok;
  });
  std::string what = "cannot record the end of run " + std::to_string(run_id);
  if (!error.empty()) return Fail(what, error);
  if (changed == 0) return Fail(what, "no such run");
  return JournalStatus::Ok();
}

JournalStatus SqliteJournal::RecordStep(const StepRecord& s) {
  std::lock_guard lock(mu_);
  std::string error = InTransaction(db_, "BEGIN IMMEDIATE", [&] {
    Stmt upsert(db_,
                std::string("INSERT INTO steps (") + kStepColumns +
                    ", seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                    " (SELECT COALESCE(MAX(seq), 0) + 1 FROM steps))"
                    " ON CONFLICT (run_id, cluster, step_index) DO UPDATE SET"
                    " action = excluded.action, member = excluded.member, state = excluded.state,"
                    " command = excluded.command, exit_status = excluded.exit_status,"
                    " output_tail = excluded.output_tail, reason = excluded.reason,"
                    " started_ms = excluded.started_ms, ended_ms = excluded.ended_ms,"
                    " seq = excluded.seq");
    upsert.Bind(s.run_id).Bind(s.cluster).Bind(s.index).Bind(s.action).Bind(s.member);
    upsert.Bind(std::string(StepStateName(s.state))).Bind(s.command).Bind(s.exit_status);
    upsert.Bind(Tail(s.output_tail, kMaxOutputTail)).Bind(s.reason);
    upsert.Bind(s.started_ms).Bind(s.ended_ms);
    return upsert.Run();
  });
  if (!error.empty())
    return Fail("cannot record step " + std::to_string(s.index) + " of cluster " + s.cluster +
                    " in run " + std::to_string(s.run_id),
                error);
  return JournalStatus::Ok();
}

JournalStatus SqliteJournal::Runs(int limit, std::vector<RunInfo>* out) {
  std::lock_guard lock(mu_);
  out->clear();
  Stmt select(db_, std::string("SELECT ") + kRunColumns + " FROM runs ORDER BY id DESC LIMIT ?");
  select.Bind(limit > 0 ? limit : -1);
  while (select.Next()) out->push_back(RunFromRow(select));
  return select.ok() ? JournalStatus::Ok() : Fail("cannot read runs");
}

JournalStatus SqliteJournal::Steps(int64_t run_id, std::vector<StepRecord>* out) {
  std::lock_guard lock(mu_);
  out->clear();
  Stmt select(db_, std::string("SELECT ") + kStepColumns +
                       " FROM steps WHERE run_id = ? ORDER BY cluster, step_index");
  select.Bind(run_id);
  while (select.Next()) out->push_back(StepFromRow(select));
  return select.ok() ? JournalStatus::Ok()
                     : Fail("cannot read the steps of run " + std::to_string(run_id));
}

// The newest run, not begun through this object, with a step on `cluster`; 0 if none.
bool SqliteJournal::LastOtherRunOn(const std::string& cluster, int64_t* run_id) {
  Stmt select(db_, "SELECT DISTINCT run_id FROM steps WHERE cluster = ? ORDER BY run_id DESC");
  select.Bind(cluster);
  *run_id = 0;
  while (select.Next())
    if (!my_runs_.count(select.Int(0))) {
      *run_id = select.Int(0);
      break;
    }
  return select.ok();
}

bool SqliteJournal::ReadRun(int64_t run_id, std::optional<RunInfo>* out) {
  Stmt select(db_, std::string("SELECT ") + kRunColumns + " FROM runs WHERE id = ?");
  select.Bind(run_id);
  if (select.Next()) *out = RunFromRow(select);
  return select.ok();
}

bool SqliteJournal::ReadLastStep(int64_t run_id, const std::string& cluster,
                                 std::optional<StepRecord>* out) {
  Stmt select(db_, std::string("SELECT ") + kStepColumns +
                       " FROM steps WHERE run_id = ? AND cluster = ? ORDER BY seq DESC LIMIT 1");
  select.Bind(run_id).Bind(cluster);
  if (select.Next()) *out = StepFromRow(select);
  return select.ok();
}

JournalStatus SqliteJournal::Interrupted(const std::string& cluster, std::optional<RunInfo>* run,
                                         std::optional<StepRecord>* step) {
  std::lock_guard lock(mu_);
  run->reset();
  step->reset();
  std::string error = InTransaction(db_, "BEGIN", [&] {
    int64_t id = 0;
    std::optional<RunInfo> last;
    if (!LastOtherRunOn(cluster, &id) || (id && !ReadRun(id, &last))) return false;
    if (!last || (last->ended_ms != 0 && last->result != "interrupted")) return true;
    *run = last;
    return ReadLastStep(id, cluster, step);
  });
  if (!error.empty()) return Fail("cannot read the runs of cluster " + cluster, error);
  return JournalStatus::Ok();
}

// ------------------------------------------------------------ held settings

JournalStatus SqliteJournal::RecordHeld(const HeldSetting& h) {
  std::lock_guard lock(mu_);
  Stmt put(db_,
           "INSERT OR REPLACE INTO held_settings (cluster, member, setting, original, run_id) "
           "VALUES (?, ?, ?, ?, ?)");
  put.Bind(h.cluster).Bind(h.member).Bind(h.setting).Bind(h.original).Bind(h.run_id);
  bool changed = false;
  std::string error = ChangeOne(db_, put, &changed);
  if (!error.empty())
    return Fail("cannot record that " + h.setting + " of " + h.cluster + "/" + h.member +
                    " is held",
                error);
  return JournalStatus::Ok();
}

JournalStatus SqliteJournal::ClearHeld(const std::string& cluster, const std::string& member,
                                       const std::string& setting) {
  std::lock_guard lock(mu_);
  Stmt remove(db_, "DELETE FROM held_settings WHERE cluster = ? AND member = ? AND setting = ?");
  remove.Bind(cluster).Bind(member).Bind(setting);
  bool removed = false;
  std::string error = ChangeOne(db_, remove, &removed);
  if (!error.empty())
    return Fail("cannot record that " + setting + " of " + cluster + "/" + member +
                    " is restored",
                error);
  return JournalStatus::Ok();
}

JournalStatus SqliteJournal::Held(std::vector<HeldSetting>* out) {
  std::lock_guard lock(mu_);
  out->clear();
  Stmt select(db_,
              "SELECT cluster, member, setting, original, run_id FROM held_settings "
              "ORDER BY cluster, member, setting");
  while (select.Next())
    out->push_back({select.Text(0), select.Text(1), select.Text(2), select.Text(3), select.Int(4)});
  return select.ok() ? JournalStatus::Ok() : Fail("cannot read held settings");
}

// ------------------------------------------------------------ leases

bool SqliteJournal::ReadLease(const std::string& cluster, std::optional<Lease>* out) {
  Stmt select(db_, std::string("SELECT ") + kLeaseColumns + " FROM leases WHERE cluster = ?");
  select.Bind(cluster);
  if (select.Next()) *out = LeaseFromRow(select);
  return select.ok();
}

// Hands out the next fencing token of `cluster`: larger than any before,
// whether or not its lease was since released or taken over.
bool SqliteJournal::NextToken(const std::string& cluster, int64_t* token) {
  Stmt last(db_, "SELECT COALESCE(MAX(last_token), 0) FROM fencing WHERE cluster = ?");
  last.Bind(cluster);
  if (!last.Next()) return false;
  *token = last.Int(0) + 1;
  Stmt keep(db_,
            "INSERT INTO fencing (cluster, last_token) VALUES (?, ?) "
            "ON CONFLICT (cluster) DO UPDATE SET last_token = excluded.last_token");
  keep.Bind(cluster).Bind(*token);
  return keep.Run();
}

JournalStatus SqliteJournal::AcquireLease(const std::string& cluster, const std::string& owner,
                                          int64_t now_ms, int64_t ttl_ms, bool* taken, Lease* lease,
                                          Lease* holder) {
  return Acquire(cluster, 0, owner, now_ms, ttl_ms, taken, lease, holder);
}

JournalStatus SqliteJournal::TakeOverLease(const std::string& cluster, int64_t gone_token,
                                           const std::string& owner, int64_t now_ms,
                                           int64_t ttl_ms, bool* taken, Lease* lease,
                                           Lease* holder) {
  return Acquire(cluster, gone_token, owner, now_ms, ttl_ms, taken, lease, holder);
}

JournalStatus SqliteJournal::Acquire(const std::string& cluster, int64_t gone_token,
                                     const std::string& owner, int64_t now_ms, int64_t ttl_ms,
                                     bool* taken, Lease* lease, Lease* holder) {
  std::lock_guard lock(mu_);
  *taken = false;
  *holder = Lease{};
  std::string error = InTransaction(db_, "BEGIN IMMEDIATE", [&] {
    std::optional<Lease> current;
    if (!ReadLease(cluster, &current)) return false;
    if (current) *holder = *current;
    if (current && current->expires_ms > now_ms && current->token != gone_token) return true;
    Lease fresh{cluster, owner, 0, now_ms + ttl_ms, now_ms};
    if (!NextToken(cluster, &fresh.token)) return false;
    Stmt put(db_, std::string("INSERT OR REPLACE INTO leases (") + kLeaseColumns +
                      ") VALUES (?, ?, ?, ?, ?)");
    put.Bind(cluster).Bind(owner).Bind(fresh.token).Bind(fresh.expires_ms).Bind(now_ms);
    if (!put.Run()) return false;
    *lease = fresh;
    return *taken = true;
  });
  if (!error.empty()) {
    *taken = false;
    return Fail("cannot take the lease of cluster " + cluster, error);
  }
  return JournalStatus::Ok();
}

JournalStatus SqliteJournal::Heartbeat(const std::string& cluster, int64_t token, int64_t now_ms,
                                       int64_t ttl_ms, bool* still_ours) {
  std::lock_guard lock(mu_);
  Stmt update(db_,
              "UPDATE leases SET expires_ms = ?, heartbeat_ms = ? WHERE cluster = ? AND token = ?");
  update.Bind(now_ms + ttl_ms).Bind(now_ms).Bind(cluster).Bind(token);
  std::string error = ChangeOne(db_, update, still_ours);
  return error.empty() ? JournalStatus::Ok()
                       : Fail("cannot renew the lease of cluster " + cluster, error);
}

JournalStatus SqliteJournal::ReleaseLease(const std::string& cluster, int64_t token) {
  bool removed = false;
  return ForceUnlock(cluster, token, &removed);  // a lease already lost is no error
}

JournalStatus SqliteJournal::ForceUnlock(const std::string& cluster, int64_t token, bool* removed) {
  std::lock_guard lock(mu_);
  Stmt remove(db_, "DELETE FROM leases WHERE cluster = ? AND token = ?");
  remove.Bind(cluster).Bind(token);
  std::string error = ChangeOne(db_, remove, removed);
  return error.empty() ? JournalStatus::Ok()
                       : Fail("cannot release the lease of cluster " + cluster, error);
}

JournalStatus SqliteJournal::Leases(std::vector<Lease>* out) {
  std::lock_guard lock(mu_);
  out->clear();
  Stmt select(db_, std::string("SELECT ") + kLeaseColumns + " FROM leases ORDER BY cluster");
  while (select.Next()) out->push_back(LeaseFromRow(select));
  return select.ok() ? JournalStatus::Ok() : Fail("cannot read leases");
}

// ------------------------------------------------------------ drift

JournalStatus SqliteJournal::RecordDrift(std::vector<DriftRecord>* records) {
  std::lock_guard lock(mu_);
  std::string why;  // taken before the failed statement is finalized, which clears it
  std::string error = InTransaction(db_, "BEGIN IMMEDIATE", [&] {
    Stmt next(db_, "SELECT COALESCE(MAX(check_id), 0) + 1 FROM drift");
    if (!next.Next()) return false;
    const int64_t check_id = next.Int(0);
    for (DriftRecord& r : *records) {
      r.check_id = check_id;
      Stmt insert(db_, std::string("INSERT INTO drift (") + kDriftColumns +
                           ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
      insert.Bind(r.check_id).Bind(r.checked_ms).Bind(r.cluster).Bind(r.status);
      insert.Bind(r.commit).Bind(r.who).Bind(r.summary).Bind(r.report);
      if (!insert.Run()) return why = sqlite3_errmsg(db_), false;
    }
    return true;
  });
  if (!error.empty()) return Fail("cannot record a drift report", why.empty() ? error : why);
  return JournalStatus::Ok();
}

JournalStatus SqliteJournal::DriftSince(int64_t since_ms, std::vector<DriftRecord>* out) {
  std::lock_guard lock(mu_);
  out->clear();
  Stmt select(db_, std::string("SELECT ") + kDriftColumns + " FROM drift AS d WHERE " +
                       "checked_ms >= ?1 OR check_id = (SELECT MAX(check_id) FROM drift AS e "
                       "WHERE e.cluster = d.cluster AND e.checked_ms < ?1) "
                       "ORDER BY check_id, cluster");
  select.Bind(since_ms);
  while (select.Next()) out->push_back(DriftFromRow(select));
  return select.ok() ? JournalStatus::Ok() : Fail("cannot read drift reports");
}

}  // namespace harc
