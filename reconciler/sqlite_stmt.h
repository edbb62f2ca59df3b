// The few SQLite helpers the journal's files share (sqlite_journal.cc,
// sqlite_journal_status.cc): a prepared statement that remembers its first
// failure, and a transaction around a body. Internal to the SQLite journal.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <string>

namespace harc::sqlite {

// The message of the last statement that failed on this thread. It is taken
// at the failure: finalizing the statement (when a Stmt goes out of scope,
// before InTransaction can look) resets sqlite3_errmsg to "not an error".
inline thread_local std::string last_failure;

// One prepared statement. Binds and steps remember the first failure, and
// its message in last_failure.
class Stmt {
 public:
  Stmt(sqlite3* db, const std::string& sql) : db_(db) {
    Check(sqlite3_prepare_v2(db, sql.c_str(), -1, &s_, nullptr) == SQLITE_OK);
  }
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& Bind(int64_t v) {
    if (ok_) Check(sqlite3_bind_int64(s_, ++n_, v) == SQLITE_OK);
    return *this;
  }
  Stmt& Bind(const std::string& v) {
    if (ok_) {
      Check(sqlite3_bind_text(s_, ++n_, v.data(), static_cast<int>(v.size()),
                              SQLITE_TRANSIENT) == SQLITE_OK);
    }
    return *this;
  }
  // Advances to the next row; false at the end or on an error (see ok()).
  bool Next() {
    if (!ok_) return false;
    int rc = sqlite3_step(s_);
    Check(rc == SQLITE_ROW || rc == SQLITE_DONE);
    return rc == SQLITE_ROW;
  }
  // Runs a statement to its end.
  bool Run() {
    while (Next()) {
    }
    return ok_;
  }
  bool ok() const { return ok_; }
  int64_t Int(int col) const { return sqlite3_column_int64(s_, col); }
  std::string Text(int col) const {
    const unsigned char* p = sqlite3_column_text(s_, col);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           static_cast<size_t>(sqlite3_column_bytes(s_, col)))
             : std::string();
  }

 private:
  void Check(bool ok) {
    ok_ = ok;
    if (!ok) last_failure = sqlite3_errmsg(db_);
  }

  sqlite3* db_;
  sqlite3_stmt* s_ = nullptr;
  int n_ = 0;
  bool ok_ = false;
};

inline bool Exec(sqlite3* db, const char* sql) {
  return sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
}

// Runs `body` inside `begin` ("BEGIN IMMEDIATE" for writes, "BEGIN" for a
// consistent read) and commits. Returns "" or SQLite's message: the failed
// statement's, or else the failed COMMIT's, taken before the rollback that
// would overwrite it.
inline std::string InTransaction(sqlite3* db, const char* begin,
                                 const std::function<bool()>& body) {
  if (!Exec(db, begin)) return sqlite3_errmsg(db);
  last_failure.clear();
  if (body()) {
    if (Exec(db, "COMMIT")) return "";
    last_failure = sqlite3_errmsg(db);
  }
  std::string error = last_failure.empty() ? std::string(sqlite3_errmsg(db)) : last_failure;
  if (!sqlite3_get_autocommit(db)) Exec(db, "ROLLBACK");
  return error;
}

}  // namespace harc::sqlite
