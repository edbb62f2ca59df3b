// The journal: what harc did, durably, and who may act on which cluster.
// Written before and after every step and read back on restart (LevelDB's
// manifest), so a run killed at any moment is resumed by the next one, which
// also reports what the interrupted run was doing.
//
// - runs:   one per `harc apply` (commit, plan hash, who, host, pid, start,
//           end, result);
// - steps:  one row per step attempt (run, cluster, index, action, member,
//           state, command, exit status, output tail, start and end times);
// - leases: one per cluster being worked (owner, fencing token, expiry,
//           heartbeat). A lease is taken atomically; a live lease held by
//           someone else is refused naming the holder; an expired one, or
//           one whose holder's process is known to be gone, is taken over
//           with a new, larger fencing token. Every step checks its token
//           is still current before it runs.
// - held settings: the value a setting had before a run held it for the
//           run, until it is restored (HeldSetting).
// - drift:  one row per cluster per drift report (`harc drift`, `harc watch
//           --drift-every`): when, the status, what drifted; read back to
//           tell when each cluster drifted and when it was corrected.
// - commits and cluster status (`harc watch`, `harc reconcile`, `harc
//           status`): where reconciling each commit of the watched branch
//           stands, and each cluster at that commit, with the reason.
//
// Implementations: SQLite (reconciler/sqlite_journal.h; WAL, a transaction
// around each record, file mode 0600) and, later, PostgreSQL.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace harc {

struct RunInfo {
  int64_t id = 0;
  std::string commit;     // the fleet's commit, "" for a working tree
  std::string plan_hash;
  std::string who;        // user@host
  int64_t pid = 0;
  int64_t started_ms = 0;
  int64_t ended_ms = 0;   // 0 while running (or killed)
  std::string result;     // "", "converged", "held", "locked", "stale", "error", "interrupted"
};

enum class StepState { kStarted, kSkipped, kDone, kFailed };
const char* StepStateName(StepState s);

struct StepRecord {
  int64_t run_id = 0;
  std::string cluster;
  int index = 0;          // 1-based, in the cluster's plan
  std::string action;     // Step::ActionKey()
  std::string member;
  StepState state = StepState::kStarted;
  std::string command;
  int exit_status = -1;
  std::string output_tail;  // last few KiB of stdout+stderr
  std::string reason;       // why skipped / failed
  int64_t started_ms = 0;
  int64_t ended_ms = 0;
};

struct Lease {
  std::string cluster;
  std::string owner;      // "user@host pid 1234 run 17"
  int64_t token = 0;      // fencing token: strictly increasing per cluster
  int64_t expires_ms = 0;
  int64_t heartbeat_ms = 0;
};

// A setting an apply holds at another value for its run (the platform's
// run_settings: automatic failback, preemption, image cloning fight an
// upgrade), with the value it had before. Kept from just before the hold is
// sent until the restore is done, so that after a run killed in between —
// when the member shows only the held value — the next run knows what to
// restore (held_settings.h).
struct HeldSetting {
  std::string cluster;
  std::string member;
  std::string setting;
  std::string original;  // the value before the hold
  int64_t run_id = 0;    // the run that held it
};

// One cluster's result in one drift report.
struct DriftRecord {
  int64_t check_id = 0;    // the report's: set by RecordDrift, growing
  int64_t checked_ms = 0;
  std::string cluster;
  std::string status;      // "in-sync", "drifted", "unobservable" (DriftStatusName)
  std::string commit;      // the fleet's commit compared against, "" for a working tree
  std::string who;         // user@host
  std::string summary;     // what drifted, one line (DriftOneLine); "" when nothing did
  std::string report;      // the cluster's object of the harc.drift/v1 report
};

// Where reconciling a commit, or one cluster at a commit, stands.
enum class ReconcileState {
  kPending,  // not done yet: being worked, or to retry (cluster locked or not observable)
  kPlanned,  // planned only: its policy does not allow applying without a person
  kApplied,  // the live state is the commit's: applied, or it already was
  kHeld,     // an apply step failed or was stopped: held until a person acts
  kFailed,   // refused: bad signature, invalid fleet, no safe plan; nothing changed
};
// "pending", "planned", "applied", "held", "failed".
const char* ReconcileStateName(ReconcileState s);
std::optional<ReconcileState> ParseReconcileState(const std::string& name);

struct CommitStatus {
  std::string commit;      // full hash
  std::string branch;
  std::string subject;     // the message's first line
  std::string author;      // "name <email>"
  int64_t committed_ms = 0;
  std::string signer;      // the verified signer; "" when signatures are not checked
  ReconcileState state = ReconcileState::kPending;
  std::string reason;      // why it is in that state, for people
  int64_t run_id = 0;      // the apply run, 0: none
  int64_t seen_ms = 0;     // first fetched
  int64_t updated_ms = 0;
};

// One cluster at one commit.
struct ClusterCommitStatus {
  std::string commit;
  std::string cluster;
  ReconcileState state = ReconcileState::kPending;
  std::string reason;
  int steps = 0;           // in the commit's plan for the cluster
  int64_t run_id = 0;      // the apply run, 0: none
  int64_t updated_ms = 0;
};

struct JournalStatus {
  bool ok = true;
  std::string message;  // names the journal and what failed
  static JournalStatus Ok() { return {}; }
  static JournalStatus Error(std::string m) { return {false, std::move(m)}; }
};

class Journal {
 public:
  virtual ~Journal() = default;

  virtual JournalStatus BeginRun(RunInfo* run) = 0;  // sets run->id
  virtual JournalStatus EndRun(int64_t run_id, const std::string& result, int64_t ended_ms) = 0;
  // Inserts or updates the row of (run, cluster, index).
  virtual JournalStatus RecordStep(const StepRecord& step) = 0;

  // Takes the lease of `cluster` for `owner` until now + ttl. When a lease
  // that has not expired (expires_ms > now) is held, by anyone, even this
  // owner, returns ok with *taken = false and *holder filled. Otherwise
  // *taken = true and *lease holds the new lease with a token larger than any
  // before for that cluster, even across releases and takeovers; *holder is
  // the expired lease it replaced (token 0: there was none).
  virtual JournalStatus AcquireLease(const std::string& cluster, const std::string& owner,
                                     int64_t now_ms, int64_t ttl_ms, bool* taken, Lease* lease,
                                     Lease* holder) = 0;
  // AcquireLease from a holder known to be gone (its process died:
  // lease_owner.h): the lease is also taken before it expires, but only while
  // its token is still `gone_token`, so that of two runs taking it over at
  // once only one wins, and a lease renewed by its holder in the meantime is
  // refused like any live one.
  virtual JournalStatus TakeOverLease(const std::string& cluster, int64_t gone_token,
                                      const std::string& owner, int64_t now_ms, int64_t ttl_ms,
                                      bool* taken, Lease* lease, Lease* holder) = 0;
  // Extends a lease we hold to now + ttl. *still_ours = false when the token
  // is no longer the cluster's current one (it expired and was taken over, or
  // was unlocked): stop at once. A lease that expired but was not taken over
  // is still ours and is extended.
  virtual JournalStatus Heartbeat(const std::string& cluster, int64_t token, int64_t now_ms,
                                  int64_t ttl_ms, bool* still_ours) = 0;
  // Removes our lease; nothing (and no error) when the token is no longer current.
  virtual JournalStatus ReleaseLease(const std::string& cluster, int64_t token) = 0;
  // `harc unlock CLUSTER --id TOKEN`: removes the lease only if the token matches.
  virtual JournalStatus ForceUnlock(const std::string& cluster, int64_t token, bool* removed) = 0;

  // All leases, expired ones too, by cluster name.
  virtual JournalStatus Leases(std::vector<Lease>* out) = 0;
  // The newest `limit` runs (all when limit <= 0), newest first.
  virtual JournalStatus Runs(int limit, std::vector<RunInfo>* out) = 0;
  // The steps of a run, by cluster and index.
  virtual JournalStatus Steps(int64_t run_id, std::vector<StepRecord>* out) = 0;
  // What an interrupted run was doing on `cluster`: the most recent run with
  // a step on `cluster`, other than the runs begun through this Journal
  // object, if it did not end (ended_ms = 0: killed) or ended "interrupted";
  // and its last recorded step there. Both nullopt when that run ended
  // otherwise (a later run finished the work) or there is none.
  // REQUIRES: the caller holds the cluster's lease; else the run found may
  // be alive. Runs are told apart by id, not pid: pids repeat (containers).
  virtual JournalStatus Interrupted(const std::string& cluster, std::optional<RunInfo>* run,
                                    std::optional<StepRecord>* step) = 0;

  // Records a setting about to be held, replacing any record of the same
  // (cluster, member, setting): a hold is sent only while the setting is not
  // at the held value, so the value seen then is the one to restore.
  virtual JournalStatus RecordHeld(const HeldSetting& held) = 0;
  // Forgets a held setting once it is restored; nothing when there is none.
  virtual JournalStatus ClearHeld(const std::string& cluster, const std::string& member,
                                  const std::string& setting) = 0;
  // Every held setting, by cluster, member and setting.
  virtual JournalStatus Held(std::vector<HeldSetting>* out) = 0;

  // Records one drift report, a record per cluster, in one transaction, under
  // a new check id larger than any before (set in each record).
  virtual JournalStatus RecordDrift(std::vector<DriftRecord>* records) = 0;
  // The records of the reports checked at or after since_ms and, for each
  // cluster, its newest record before since_ms (where the window starts
  // from); by check id, then cluster.
  virtual JournalStatus DriftSince(int64_t since_ms, std::vector<DriftRecord>* out) = 0;

  // Inserts or replaces the status of status.commit; it becomes the newest.
  virtual JournalStatus PutCommitStatus(const CommitStatus& status) = 0;
  // The newest `limit` (all when <= 0) commit statuses of `branch` ("": of
  // every branch), newest (last put) first.
  virtual JournalStatus CommitStatuses(const std::string& branch, int limit,
                                       std::vector<CommitStatus>* out) = 0;
  // Inserts or replaces the status of (status.commit, status.cluster).
  virtual JournalStatus PutClusterStatus(const ClusterCommitStatus& status) = 0;
  // By cluster name: the statuses at `commit`, or with commit "" the newest
  // (last put) status of every cluster.
  virtual JournalStatus ClusterStatuses(const std::string& commit,
                                        std::vector<ClusterCommitStatus>* out) = 0;
};

}  // namespace harc
