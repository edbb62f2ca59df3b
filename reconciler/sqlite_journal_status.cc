// The SQLite journal's GitOps status: the commits and cluster_status tables
// (journal.h, CommitStatus and ClusterCommitStatus).
#include "reconciler/sqlite_journal.h"
#include "reconciler/sqlite_stmt.h"

namespace harc {
namespace {

using sqlite::InTransaction;
using sqlite::Stmt;

const char kCommitColumns[] =
    "commit_hash, branch, subject, author, committed_ms, signer, state, reason, run_id, "
    "seen_ms, updated_ms";
const char kClusterColumns[] = "commit_hash, cluster, state, reason, steps, run_id, updated_ms";

// The CHECK constraints admit only the names ReconcileStateName gives.
ReconcileState StateFromName(const std::string& name) {
  return ParseReconcileState(name).value_or(ReconcileState::kPending);
}

CommitStatus CommitFromRow(const Stmt& s) {
  CommitStatus c;
  c.commit = s.Text(0);
  c.branch = s.Text(1);
  c.subject = s.Text(2);
  c.author = s.Text(3);
  c.committed_ms = s.Int(4);
  c.signer = s.Text(5);
  c.state = StateFromName(s.Text(6));
  c.reason = s.Text(7);
  c.run_id = s.Int(8);
  c.seen_ms = s.Int(9);
  c.updated_ms = s.Int(10);
  return c;
}

ClusterCommitStatus ClusterFromRow(const Stmt& s) {
  ClusterCommitStatus c;
  c.commit = s.Text(0);
  c.cluster = s.Text(1);
  c.state = StateFromName(s.Text(2));
  c.reason = s.Text(3);
  c.steps = static_cast<int>(s.Int(4));
  c.run_id = s.Int(5);
  c.updated_ms = s.Int(6);
  return c;
}

}  // namespace

JournalStatus SqliteJournal::PutCommitStatus(const CommitStatus& c) {
  std::lock_guard lock(mu_);
  std::string error = InTransaction(db_, "BEGIN IMMEDIATE", [&] {
    Stmt put(db_, std::string("INSERT OR REPLACE INTO commits (") + kCommitColumns +
                      ", seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                      " (SELECT COALESCE(MAX(seq), 0) + 1 FROM commits))");
    put.Bind(c.commit).Bind(c.branch).Bind(c.subject).Bind(c.author).Bind(c.committed_ms);
    put.Bind(c.signer).Bind(std::string(ReconcileStateName(c.state))).Bind(c.reason);
    put.Bind(c.run_id).Bind(c.seen_ms).Bind(c.updated_ms);
    return put.Run();
  });
  if (!error.empty()) return Fail("cannot record the status of commit " + c.commit, error);
  return JournalStatus::Ok();
}

JournalStatus SqliteJournal::CommitStatuses(const std::string& branch, int limit,
                                            std::vector<CommitStatus>* out) {
  std::lock_guard lock(mu_);
  out->clear();
  Stmt select(db_, std::string("SELECT ") + kCommitColumns +
                       " FROM commits WHERE ?1 = '' OR branch = ?1 ORDER BY seq DESC LIMIT ?2");
  select.Bind(branch).Bind(limit > 0 ? limit : -1);
  while (select.Next()) out->push_back(CommitFromRow(select));
  return select.ok() ? JournalStatus::Ok() : Fail("cannot read commit statuses");
}

JournalStatus SqliteJournal::PutClusterStatus(const ClusterCommitStatus& c) {
  std::lock_guard lock(mu_);
  std::string error = InTransaction(db_, "BEGIN IMMEDIATE", [&] {
    Stmt put(db_, std::string("INSERT OR REPLACE INTO cluster_status (") + kClusterColumns +
                      ", seq) VALUES (?, ?, ?, ?, ?, ?, ?,"
                      " (SELECT COALESCE(MAX(seq), 0) + 1 FROM cluster_status))");
    put.Bind(c.commit).Bind(c.cluster).Bind(std::string(ReconcileStateName(c.state)));
    put.Bind(c.reason).Bind(c.steps).Bind(c.run_id).Bind(c.updated_ms);
    return put.Run();
  });
  if (!error.empty())
    return Fail("cannot record the status of cluster " + c.cluster + " at " + c.commit, error);
  return JournalStatus::Ok();
}

JournalStatus SqliteJournal::ClusterStatuses(const std::string& commit,
                                             std::vector<ClusterCommitStatus>* out) {
  std::lock_guard lock(mu_);
  out->clear();
  std::string sql = std::string("SELECT ") + kClusterColumns + " FROM cluster_status AS s WHERE " +
                    (commit.empty() ? "seq = (SELECT MAX(seq) FROM cluster_status AS t "
                                      "WHERE t.cluster = s.cluster)"
                                    : "commit_hash = ?") +
                    " ORDER BY cluster";
  Stmt select(db_, sql);
  if (!commit.empty()) select.Bind(commit);
  while (select.Next()) out->push_back(ClusterFromRow(select));
  return select.ok() ? JournalStatus::Ok() : Fail("cannot read cluster statuses");
}

}  // namespace harc
