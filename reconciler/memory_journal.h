// MemoryJournal: the Journal fake for tests (ninja's FakeCommandRunner). It
// keeps runs, steps, leases, drift records and GitOps statuses in memory with
// the semantics the SQLite journal has, and records every call in order, so a test can check that a
// step was journaled 'started' before its command was sent and 'done' after.
// It can be told to fail, to prove that a journal that stops taking writes
// stops the apply. Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "reconciler/journal.h"

namespace harc {

class MemoryJournal : public Journal {
 public:
  JournalStatus BeginRun(RunInfo* run) override;
  JournalStatus EndRun(int64_t run_id, const std::string& result, int64_t ended_ms) override;
  JournalStatus RecordStep(const StepRecord& step) override;
  JournalStatus AcquireLease(const std::string& cluster, const std::string& owner, int64_t now_ms,
                             int64_t ttl_ms, bool* taken, Lease* lease, Lease* holder) override;
  JournalStatus TakeOverLease(const std::string& cluster, int64_t gone_token,
                              const std::string& owner, int64_t now_ms, int64_t ttl_ms,
                              bool* taken, Lease* lease, Lease* holder) override;
  JournalStatus Heartbeat(const std::string& cluster, int64_t token, int64_t now_ms,
                          int64_t ttl_ms, bool* still_ours) override;
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

  // ------------------------------------------------------------ for tests

  // Every RecordStep call, in order (a step appears once per state it went through).
  std::vector<StepRecord> records() const;
  // The lease of `cluster`, if any (expired or not).
  std::optional<Lease> LeaseOf(const std::string& cluster) const;
  // From now on RecordStep (or every lease write: acquire, heartbeat, release)
  // fails with `message`; "" makes them work again.
  void FailStepRecords(const std::string& message);
  void FailLeaseWrites(const std::string& message);
  // Adds a run as another process would have written it (not one of ours),
  // with its steps; run ids are assigned.
  void AddRun(const RunInfo& run, const std::vector<StepRecord>& steps);

 private:
  static JournalStatus Failure(const std::string& message);

  mutable std::mutex mu_;
  std::string fail_steps_;
  std::string fail_leases_;
  std::vector<RunInfo> runs_;
  std::set<int64_t> my_runs_;                  // begun through BeginRun: never "interrupted"
  std::vector<StepRecord> records_;            // every RecordStep, in order
  std::map<std::string, Lease> leases_;        // cluster -> lease
  std::map<std::string, int64_t> last_token_;  // cluster -> largest token handed out
  std::map<std::tuple<std::string, std::string, std::string>, HeldSetting> held_;
  std::vector<DriftRecord> drift_;             // in check order
  std::vector<CommitStatus> commits_;          // one per commit, oldest put first
  std::vector<ClusterCommitStatus> clusters_;  // one per (commit, cluster), oldest put first
};

}  // namespace harc
