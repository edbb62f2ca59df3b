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
//           someone else is refused naming the holder; an expired one is
//           taken over with a new, larger fencing token. Every step checks
//           its token is still current before it runs.
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
  // before for that cluster, even across releases and takeovers.
  virtual JournalStatus AcquireLease(const std::string& cluster, const std::string& owner,
                                     int64_t now_ms, int64_t ttl_ms, bool* taken, Lease* lease,
                                     Lease* holder) = 0;
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
};

}  // namespace harc
