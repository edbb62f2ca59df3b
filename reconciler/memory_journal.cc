#include "reconciler/memory_journal.h"

#include <algorithm>
#include <tuple>

namespace harc {

JournalStatus MemoryJournal::Failure(const std::string& message) {
  if (message.empty()) return JournalStatus::Ok();
  return JournalStatus::Error("memory journal: " + message);
}

JournalStatus MemoryJournal::BeginRun(RunInfo* run) {
  std::lock_guard lock(mu_);
  run->id = static_cast<int64_t>(runs_.size()) + 1;
  runs_.push_back(*run);
  my_runs_.insert(run->id);
  return JournalStatus::Ok();
}

JournalStatus MemoryJournal::EndRun(int64_t run_id, const std::string& result, int64_t ended_ms) {
  std::lock_guard lock(mu_);
  if (run_id < 1 || run_id > static_cast<int64_t>(runs_.size()))
    return JournalStatus::Error("memory journal: no run " + std::to_string(run_id));
  RunInfo& r = runs_[static_cast<size_t>(run_id - 1)];
  r.result = result;
  r.ended_ms = ended_ms;
  return JournalStatus::Ok();
}

JournalStatus MemoryJournal::RecordStep(const StepRecord& step) {
  std::lock_guard lock(mu_);
  if (JournalStatus st = Failure(fail_steps_); !st.ok) return st;
  records_.push_back(step);
  return JournalStatus::Ok();
}

JournalStatus MemoryJournal::AcquireLease(const std::string& cluster, const std::string& owner,
                                          int64_t now_ms, int64_t ttl_ms, bool* taken,
                                          Lease* lease, Lease* holder) {
  return TakeOverLease(cluster, 0, owner, now_ms, ttl_ms, taken, lease, holder);
}

JournalStatus MemoryJournal::TakeOverLease(const std::string& cluster, int64_t gone_token,
                                           const std::string& owner, int64_t now_ms,
                                           int64_t ttl_ms, bool* taken, Lease* lease,
                                           Lease* holder) {
  std::lock_guard lock(mu_);
  if (JournalStatus st = Failure(fail_leases_); !st.ok) return st;
  auto it = leases_.find(cluster);
  *holder = it == leases_.end() ? Lease{} : it->second;
  if (it != leases_.end() && it->second.expires_ms > now_ms && it->second.token != gone_token) {
    *taken = false;
    return JournalStatus::Ok();
  }
  Lease l{cluster, owner, ++last_token_[cluster], now_ms + ttl_ms, now_ms};
  leases_[cluster] = l;
  *taken = true;
  *lease = l;
  return JournalStatus::Ok();
}

JournalStatus MemoryJournal::Heartbeat(const std::string& cluster, int64_t token, int64_t now_ms,
                                       int64_t ttl_ms, bool* still_ours) {
  std::lock_guard lock(mu_);
  if (JournalStatus st = Failure(fail_leases_); !st.ok) return st;
  auto it = leases_.find(cluster);
  *still_ours = it != leases_.end() && it->second.token == token;
  if (*still_ours) {
    it->second.expires_ms = now_ms + ttl_ms;
    it->second.heartbeat_ms = now_ms;
  }
  return JournalStatus::Ok();
}

JournalStatus MemoryJournal::ReleaseLease(const std::string& cluster, int64_t token) {
  std::lock_guard lock(mu_);
  if (JournalStatus st = Failure(fail_leases_); !st.ok) return st;
  auto it = leases_.find(cluster);
  if (it != leases_.end() && it->second.token == token) leases_.erase(it);
  return JournalStatus::Ok();
}

JournalStatus MemoryJournal::ForceUnlock(const std::string& cluster, int64_t token,
                                         bool* removed) {
  std::lock_guard lock(mu_);
  if (JournalStatus st = Failure(fail_leases_); !st.ok) return st;
  auto it = leases_.find(cluster);
  *removed = it != leases_.end() && it->second.token == token;
  if (*removed) leases_.erase(it);
  return JournalStatus::Ok();
}

JournalStatus MemoryJournal::Leases(std::vector<Lease>* out) {
  std::lock_guard lock(mu_);
  out->clear();
  for (const auto& [name, lease] : leases_) out->push_back(lease);
  return JournalStatus::Ok();
}

JournalStatus MemoryJournal::Runs(int limit, std::vector<RunInfo>* out) {
  std::lock_guard lock(mu_);
  out->assign(runs_.rbegin(), runs_.rend());  // newest first
  if (limit > 0 && out->size() > static_cast<size_t>(limit)) out->resize(static_cast<size_t>(limit));
  return JournalStatus::Ok();
}

// One row per (cluster, index) of the run: its latest record.
JournalStatus MemoryJournal::Steps(int64_t run_id, std::vector<StepRecord>* out) {
  std::lock_guard lock(mu_);
  std::map<std::pair<std::string, int>, StepRecord> rows;
  for (const StepRecord& r : records_)
    if (r.run_id == run_id) rows[{r.cluster, r.index}] = r;
  out->clear();
  for (const auto& [key, r] : rows) out->push_back(r);
  return JournalStatus::Ok();
}

JournalStatus MemoryJournal::Interrupted(const std::string& cluster, std::optional<RunInfo>* run,
                                         std::optional<StepRecord>* step) {
  std::lock_guard lock(mu_);
  run->reset();
  step->reset();
  for (auto r = runs_.rbegin(); r != runs_.rend(); ++r) {
    if (my_runs_.count(r->id)) continue;
    for (auto s = records_.rbegin(); s != records_.rend(); ++s) {
      if (s->run_id != r->id || s->cluster != cluster) continue;
      if (r->ended_ms == 0 || r->result == "interrupted") {
        *run = *r;
        *step = *s;
      }
      return JournalStatus::Ok();
    }
  }
  return JournalStatus::Ok();
}

JournalStatus MemoryJournal::RecordHeld(const HeldSetting& held) {
  std::lock_guard lock(mu_);
  held_[{held.cluster, held.member, held.setting}] = held;
  return JournalStatus::Ok();
}

JournalStatus MemoryJournal::ClearHeld(const std::string& cluster, const std::string& member,
                                       const std::string& setting) {
  std::lock_guard lock(mu_);
  held_.erase({cluster, member, setting});
  return JournalStatus::Ok();
}

JournalStatus MemoryJournal::Held(std::vector<HeldSetting>* out) {
  std::lock_guard lock(mu_);
  out->clear();
  for (const auto& [key, held] : held_) out->push_back(held);
  return JournalStatus::Ok();
}

JournalStatus MemoryJournal::RecordDrift(std::vector<DriftRecord>* records) {
  std::lock_guard lock(mu_);
  const int64_t check_id = drift_.empty() ? 1 : drift_.back().check_id + 1;
  for (DriftRecord& r : *records) {
    r.check_id = check_id;
    drift_.push_back(r);
  }
  return JournalStatus::Ok();
}

JournalStatus MemoryJournal::DriftSince(int64_t since_ms, std::vector<DriftRecord>* out) {
  std::lock_guard lock(mu_);
  std::map<std::string, int64_t> last_before;  // cluster -> check id
  for (const DriftRecord& r : drift_)
    if (r.checked_ms < since_ms) last_before[r.cluster] = r.check_id;
  out->clear();
  for (const DriftRecord& r : drift_) {
    auto before = last_before.find(r.cluster);
    if (r.checked_ms >= since_ms || (before != last_before.end() && before->second == r.check_id))
      out->push_back(r);
  }
  std::stable_sort(out->begin(), out->end(), [](const DriftRecord& a, const DriftRecord& b) {
    return std::tie(a.check_id, a.cluster) < std::tie(b.check_id, b.cluster);
  });
  return JournalStatus::Ok();
}

JournalStatus MemoryJournal::PutCommitStatus(const CommitStatus& status) {
  std::lock_guard lock(mu_);
  std::erase_if(commits_, [&](const CommitStatus& c) { return c.commit == status.commit; });
  commits_.push_back(status);
  return JournalStatus::Ok();
}

JournalStatus MemoryJournal::CommitStatuses(const std::string& branch, int limit,
                                            std::vector<CommitStatus>* out) {
  std::lock_guard lock(mu_);
  out->clear();
  for (auto it = commits_.rbegin(); it != commits_.rend(); ++it)
    if ((branch.empty() || it->branch == branch) &&
        (limit <= 0 || out->size() < static_cast<size_t>(limit)))
      out->push_back(*it);
  return JournalStatus::Ok();
}

JournalStatus MemoryJournal::PutClusterStatus(const ClusterCommitStatus& status) {
  std::lock_guard lock(mu_);
  std::erase_if(clusters_, [&](const ClusterCommitStatus& c) {
    return c.commit == status.commit && c.cluster == status.cluster;
  });
  clusters_.push_back(status);
  return JournalStatus::Ok();
}

JournalStatus MemoryJournal::ClusterStatuses(const std::string& commit,
                                             std::vector<ClusterCommitStatus>* out) {
  std::lock_guard lock(mu_);
  std::map<std::string, ClusterCommitStatus> by_cluster;  // the newest put wins
  for (const ClusterCommitStatus& c : clusters_)
    if (commit.empty() || c.commit == commit) by_cluster[c.cluster] = c;
  out->clear();
  for (auto& [name, c] : by_cluster) out->push_back(std::move(c));
  return JournalStatus::Ok();
}

void MemoryJournal::AddRun(const RunInfo& run, const std::vector<StepRecord>& steps) {
  std::lock_guard lock(mu_);
  RunInfo r = run;
  r.id = static_cast<int64_t>(runs_.size()) + 1;
  runs_.push_back(r);
  for (StepRecord s : steps) {
    s.run_id = r.id;
    records_.push_back(s);
  }
}

std::vector<StepRecord> MemoryJournal::records() const {
  std::lock_guard lock(mu_);
  return records_;
}

std::optional<Lease> MemoryJournal::LeaseOf(const std::string& cluster) const {
  std::lock_guard lock(mu_);
  auto it = leases_.find(cluster);
  if (it == leases_.end()) return std::nullopt;
  return it->second;
}

void MemoryJournal::FailStepRecords(const std::string& message) {
  std::lock_guard lock(mu_);
  fail_steps_ = message;
}

void MemoryJournal::FailLeaseWrites(const std::string& message) {
  std::lock_guard lock(mu_);
  fail_leases_ = message;
}

}  // namespace harc
