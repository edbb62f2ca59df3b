#include "reconciler/rollout.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include "reconciler/lease_owner.h"
#include "reconciler/lease_renewer.h"

namespace harc {
namespace {

ClusterResult Result(const ClusterPlan& cp, Outcome outcome, std::string reason) {
  ClusterResult r;
  r.cluster = cp.cluster;
  r.wave = cp.wave;
  r.outcome = outcome;
  r.reason = std::move(reason);
  r.steps = static_cast<int>(cp.steps.size());
  return r;
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : "; ") + s;
  return out;
}

// The result of a cluster that is not worked at all; nullopt for one that is.
std::optional<ClusterResult> Settled(const ClusterPlan& cp) {
  switch (cp.status) {
    case ClusterStatus::kInSync: return Result(cp, Outcome::kConverged, "in sync");
    case ClusterStatus::kUnsafe:
      return Result(cp, Outcome::kUnsafe, cp.refusal ? cp.refusal->message : "no safe plan");
    case ClusterStatus::kUnobservable:
      return Result(cp, Outcome::kUnobservable, Join(cp.unobservable));
    case ClusterStatus::kChanges: return std::nullopt;
  }
  return std::nullopt;
}

std::string Describe(const Lease& l, int64_t now_ms) {
  return l.owner + " (token " + std::to_string(l.token) + ", expires in " +
         std::to_string(std::max<int64_t>(0, (l.expires_ms - now_ms + 999) / 1000)) + "s)";
}

// Plan indices by wave, in rollout order.
std::vector<std::vector<size_t>> Waves(const Plan& plan, const std::vector<std::string>& order) {
  std::vector<std::string> waves = order;
  for (const ClusterPlan& cp : plan.clusters)
    if (std::find(waves.begin(), waves.end(), cp.wave) == waves.end()) waves.push_back(cp.wave);
  std::vector<std::vector<size_t>> out;
  for (const std::string& w : waves) {
    std::vector<size_t> members;
    for (size_t i = 0; i < plan.clusters.size(); ++i)
      if (plan.clusters[i].wave == w) members.push_back(i);
    if (!members.empty()) out.push_back(std::move(members));
  }
  return out;
}

class Rollouter {
 public:
  Rollouter(const Plan& plan, const Fleet& fleet, Transport& transport, Journal& journal,
            Clock& clock, const RolloutOptions& options)
      : plan_(plan),
        fleet_(fleet),
        transport_(transport),
        journal_(journal),
        clock_(clock),
        o_(options),
        stop_(options.apply.stop ? options.apply.stop : &own_stop_),
        renewer_(journal, clock, options.apply.lease_ttl_ms,
                 options.renew_every_ms > 0 ? options.renew_every_ms
                                            : options.apply.lease_ttl_ms / 3) {}

  RolloutResult Run() {
    RolloutResult out;
    out.clusters.resize(plan_.clusters.size());
    for (const std::vector<size_t>& wave : Waves(plan_, o_.waves)) RunWave(wave, &out);
    out.interrupted = stop_->interrupted();
    return out;
  }

 private:
  void RunWave(const std::vector<size_t>& wave, RolloutResult* out) {
    std::atomic<size_t> next{0};
    auto work = [&] {
      for (size_t k; (k = next.fetch_add(1)) < wave.size();)
        out->clusters[wave[k]] = RunOne(plan_.clusters[wave[k]]);
    };
    size_t workers = std::min<size_t>(std::max(1, o_.max_parallel_clusters), wave.size());
    std::vector<std::thread> pool;
    for (size_t i = 1; i < workers; ++i) pool.emplace_back(work);
    work();  // this thread is a worker too
    for (std::thread& t : pool) t.join();
  }

  ClusterResult RunOne(const ClusterPlan& cp) {
    if (std::optional<ClusterResult> r = Settled(cp)) return Ended(*r);
    if (stop_->level() != StopSignal::kNone)
      return Ended(Result(cp, Outcome::kNotStarted, stop_->reason()));
    Lease lease;
    if (std::optional<ClusterResult> r = TakeLease(cp, &lease)) return Ended(*r);
    ClusterResult r = WorkUnderLease(cp, lease);
    renewer_.Remove(cp.cluster);
    JournalStatus st = journal_.ReleaseLease(cp.cluster, lease.token);
    if (!st.ok && o_.apply.observer)
      o_.apply.observer->ClusterNote(cp.cluster, "could not release the lease: " + st.message);
    if (r.outcome == Outcome::kHeld && ++held_ >= o_.max_failed_clusters)
      stop_->RequestBudgetStop();
    return Ended(r);
  }

  // nullopt with *lease set when taken; else why the cluster cannot be worked.
  // A lease whose holder's process is gone is taken over at once; one that
  // expired, as it is found. Either is reported.
  std::optional<ClusterResult> TakeLease(const ClusterPlan& cp, Lease* lease) {
    bool taken = false;
    Lease holder;
    int64_t now = clock_.WallMs();
    const int64_t ttl = o_.apply.lease_ttl_ms;
    JournalStatus st =
        journal_.AcquireLease(cp.cluster, o_.owner, now, ttl, &taken, lease, &holder);
    if (st.ok && !taken && HolderIsGone(holder))
      st = journal_.TakeOverLease(cp.cluster, holder.token, o_.owner, now, ttl, &taken, lease,
                                  &holder);
    if (!st.ok) return Result(cp, Outcome::kHeld, "cannot take the lease: " + st.message);
    if (!taken) return Result(cp, Outcome::kLocked, Describe(holder, now));
    if (holder.token != 0)
      Note(cp.cluster, "took over the lease of " + holder.owner + " (token " +
                           std::to_string(holder.token) + "): " +
                           (holder.expires_ms > now ? "that process is no longer running"
                                                    : "it had expired"));
    renewer_.Add(*lease);
    return std::nullopt;
  }

  bool HolderIsGone(const Lease& holder) const {
    std::optional<LeaseOwner> them = ParseOwner(holder.owner), us = ParseOwner(o_.owner);
    return them && us && HolderGone(*them, *us);
  }

  ClusterResult WorkUnderLease(const ClusterPlan& cp, const Lease& lease) {
    const Cluster* cluster = fleet_.FindCluster(cp.cluster);
    auto platform = fleet_.platforms.find(cp.platform);
    if (!cluster || platform == fleet_.platforms.end())
      return Result(cp, Outcome::kHeld, "cluster or platform not in the fleet");
    ApplyOptions options = o_.apply;
    options.stop = stop_;
    std::optional<RunInfo> run;
    std::optional<StepRecord> step;
    JournalStatus st = journal_.Interrupted(cp.cluster, &run, &step);
    if (!st.ok) return Result(cp, Outcome::kHeld, "cannot read the journal: " + st.message);
    if (run && step) {
      Note(cp.cluster, "run " + std::to_string(run->id) + " (" + run->who + ") was interrupted at " +
                           "step " + std::to_string(step->index) + " (" + step->action + " " +
                           step->member + "): " + StepStateName(step->state) +
                           (step->reason.empty() ? "" : ": " + step->reason));
      options.interrupted = step;
      st = BackedUp(cp.cluster, run->id, &options.backed_up_by);
      if (!st.ok) return Result(cp, Outcome::kHeld, "cannot read the journal: " + st.message);
    }
    if (o_.apply.observer) o_.apply.observer->ClusterStarted(cp);
    return ApplyCluster(cp, *cluster, platform->second, transport_, journal_, clock_, lease, options);
  }

  // *by = run_id when that run backed `cluster` up (or kept the backup of
  // a run before it), else 0.
  JournalStatus BackedUp(const std::string& cluster, int64_t run_id, int64_t* by) {
    std::vector<StepRecord> steps;
    JournalStatus st = journal_.Steps(run_id, &steps);
    *by = std::any_of(steps.begin(), steps.end(), [&](const StepRecord& s) {
      return s.cluster == cluster && s.action == ActionName(Action::kBackup) &&
             (s.state == StepState::kDone || s.state == StepState::kSkipped);
    }) ? run_id : 0;
    return st;
  }

  void Note(const std::string& cluster, const std::string& note) {
    if (o_.apply.observer) o_.apply.observer->ClusterNote(cluster, note);
  }

  ClusterResult Ended(const ClusterResult& r) {
    if (o_.apply.observer) o_.apply.observer->ClusterEnded(r);
    return r;
  }

  const Plan& plan_;
  const Fleet& fleet_;
  Transport& transport_;
  Journal& journal_;
  Clock& clock_;
  const RolloutOptions& o_;
  StopSignal own_stop_;
  StopSignal* stop_;
  std::atomic<int> held_{0};
  LeaseRenewer renewer_;
};

}  // namespace

int RolloutResult::Count(Outcome o) const {
  return static_cast<int>(std::count_if(clusters.begin(), clusters.end(),
                                        [o](const ClusterResult& r) { return r.outcome == o; }));
}

RolloutResult Rollout(const Plan& plan, const Fleet& fleet, Transport& transport,
                      Journal& journal, Clock& clock, const RolloutOptions& options) {
  return Rollouter(plan, fleet, transport, journal, clock, options).Run();
}

ExitCode RolloutExitCode(const RolloutResult& r) {
  if (r.interrupted || r.Count(Outcome::kHeld) > 0) return ExitCode::kHeld;
  if (r.Count(Outcome::kLocked) > 0) return ExitCode::kLocked;
  if (r.Count(Outcome::kUnsafe) > 0) return ExitCode::kUnsafe;
  if (r.Count(Outcome::kUnobservable) > 0) return ExitCode::kUnreachable;
  if (r.Count(Outcome::kNotStarted) > 0) return ExitCode::kHeld;  // the budget stopped them
  return ExitCode::kOk;
}

std::string RunResultName(const RolloutResult& r) {
  if (r.interrupted) return "interrupted";
  switch (RolloutExitCode(r)) {
    case ExitCode::kHeld: return "held";
    case ExitCode::kLocked: return "locked";
    case ExitCode::kUnsafe: return "unsafe";
    case ExitCode::kUnreachable: return "unobservable";
    default: return "converged";
  }
}

}  // namespace harc
