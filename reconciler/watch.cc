#include "reconciler/watch.h"

#include <algorithm>
#include <ostream>
#include <sstream>

#include "compiler/compile.h"
#include "compiler/gitops.h"
#include "compiler/plan_text.h"
#include "reconciler/apply_run.h"
#include "reconciler/lease_owner.h"
#include "reconciler/progress.h"
#include "reconciler/time_text.h"

namespace harc {
namespace {

constexpr ReconcileState kPending = ReconcileState::kPending;
constexpr ReconcileState kPlanned = ReconcileState::kPlanned;
constexpr ReconcileState kApplied = ReconcileState::kApplied;
constexpr ReconcileState kHeld = ReconcileState::kHeld;
constexpr ReconcileState kFailed = ReconcileState::kFailed;

std::string Join(const std::vector<std::string>& v, const char* sep = "; ") {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

bool Terminal(ReconcileState s) { return s != kPending; }

// The exit code of a commit already reconciled, for `harc reconcile --once`.
ExitCode CodeForState(ReconcileState s) {
  if (s == kHeld) return ExitCode::kHeld;
  return s == kFailed ? ExitCode::kError : ExitCode::kOk;
}

std::string StepsDone(const ClusterResult& r) {
  return Count(static_cast<size_t>(r.steps), "step") + " (" + std::to_string(r.ran) + " run, " +
         std::to_string(r.skipped) + " skipped)";
}

// A cluster's status from how the rollout ended it. Clusters stopped by a
// signal resume when harc watch runs again; any other hold waits for a person.
void FromResult(const ClusterResult& r, bool interrupted, const std::string& why,
                ClusterCommitStatus* s) {
  bool by_signal = interrupted && r.reason.find("interrupted (") != std::string::npos;
  switch (r.outcome) {
    case Outcome::kConverged:
      s->state = kApplied;
      s->reason = why + ": " + StepsDone(r);
      return;
    case Outcome::kHeld:
      s->state = by_signal ? kPending : kHeld;
      s->reason = by_signal ? r.reason + "; resumes when harc watch runs again"
                            : r.reason + "; resume with 'harc apply --cluster " + r.cluster + "'";
      return;
    case Outcome::kLocked:
      s->state = kPending;
      s->reason = "locked by " + r.reason;
      return;
    case Outcome::kNotStarted:
      s->state = interrupted ? kPending : kHeld;
      s->reason = "not started: " + r.reason;
      return;
    case Outcome::kUnsafe:
      s->state = kFailed;
      s->reason = r.reason;
      return;
    case Outcome::kUnobservable:
      s->state = kPending;
      s->reason = "not observed: " + r.reason;
      return;
  }
}

// "3 applied, 1 planned (lb-edge), 1 held (fw-dc)".
std::string Summary(const std::vector<ClusterCommitStatus>& v) {
  std::string out;
  for (ReconcileState st : {kApplied, kPlanned, kPending, kHeld, kFailed}) {
    std::vector<std::string> names;
    for (const ClusterCommitStatus& s : v)
      if (s.state == st) names.push_back(s.cluster);
    if (names.empty()) continue;
    out += (out.empty() ? "" : ", ") + std::to_string(names.size()) + " " +
           ReconcileStateName(st) + (st == kApplied ? "" : " (" + Join(names, ", ") + ")");
  }
  return out.empty() ? "no clusters" : out;
}

// The commit's state: the first of held, pending, failed, planned that a
// cluster is in; applied when every cluster is.
ReconcileState Worst(const std::vector<ClusterCommitStatus>& v) {
  for (ReconcileState st : {kHeld, kPending, kFailed, kPlanned})
    if (std::any_of(v.begin(), v.end(), [&](const ClusterCommitStatus& s) { return s.state == st; }))
      return st;
  return kApplied;
}

CommitStatus NewCommitStatus(const CommitInfo& info, const std::string& branch, int64_t now_ms) {
  CommitStatus c;
  c.commit = info.commit;
  c.branch = branch;
  c.subject = info.subject;
  c.author = info.author;
  c.committed_ms = info.committed_ms;
  c.seen_ms = now_ms;
  return c;
}

// Why a cluster held under an earlier commit stays held: that hold, once.
std::string HeldReason(const ClusterCommitStatus& held) {
  if (held.reason.starts_with("held at ")) return held.reason;
  return "held at " + held.commit.substr(0, 12) + ": " + held.reason;
}

// As RolloutExitCode: held, locked, unsafe, unobservable, in that order.
ExitCode CodeFor(const Plan& plan, const std::vector<ClusterCommitStatus>& v) {
  auto any = [&](ReconcileState st, const char* reason) {
    return std::any_of(v.begin(), v.end(), [&](const ClusterCommitStatus& s) {
      return s.state == st && s.reason.starts_with(reason);
    });
  };
  if (any(kHeld, "")) return ExitCode::kHeld;
  if (any(kPending, "locked by ")) return ExitCode::kLocked;
  if (plan.HasUnsafe()) return ExitCode::kUnsafe;
  if (plan.HasUnobservable()) return ExitCode::kUnreachable;
  return ExitCode::kOk;
}

// Why a fleet did not load, from what LoadSelectedFleet printed: "invalid
// fleet (2 errors): <the first>", or its one error when no file was read.
std::string LoadFailure(const std::string& printed) {
  const std::string prefix = "harc: error: ";
  std::vector<std::string> diagnostics;
  std::string last;
  for (size_t at = 0; at < printed.size();) {
    size_t nl = std::min(printed.find('\n', at), printed.size());
    std::string line = printed.substr(at, nl - at);
    at = nl + 1;
    if (line.starts_with(prefix)) last = line.substr(prefix.size());
    else if (line.find(": error: ") != std::string::npos) diagnostics.push_back(line);
  }
  if (diagnostics.empty()) return last;
  return "invalid fleet (" + Count(diagnostics.size(), "error") + "): " + diagnostics[0];
}

}  // namespace

// ------------------------------------------------------------- the lease

WatchLease::WatchLease(Journal& journal, Clock& clock, int64_t ttl_ms)
    : journal_(journal) {
  std::string owner = FormatOwner(ThisProcess(Who(), 0));
  int64_t now = clock.WallMs();
  status_ = journal.AcquireLease(kWatchLease, owner, now, ttl_ms, &taken_, &lease_, &holder_);
  std::optional<LeaseOwner> them = ParseOwner(holder_.owner), us = ParseOwner(owner);
  if (status_.ok && !taken_ && them && us && HolderGone(*them, *us))
    status_ = journal.TakeOverLease(kWatchLease, holder_.token, owner, now, ttl_ms, &taken_,
                                    &lease_, &holder_);
  if (!status_.ok || !taken_) return;
  renewer_.emplace(journal, clock, ttl_ms, ttl_ms / 3);
  renewer_->Add(lease_);
}

WatchLease::~WatchLease() {
  if (!taken_) return;
  renewer_.reset();
  journal_.ReleaseLease(kWatchLease, lease_.token);
}

bool Watcher::Taken(const WatchLease& lease) {
  if (!lease.status().ok) {
    Log("cannot take the " + std::string(kWatchLease) + " lease: " + lease.status().message);
    return false;
  }
  if (lease.taken()) {
    busy_token_ = 0;
    return true;
  }
  if (lease.holder().token != busy_token_)
    Log("another watcher is at work: " + lease.holder().owner + " holds the " + kWatchLease +
        " lease; waiting for it");
  busy_token_ = lease.holder().token;
  return false;
}

// ------------------------------------------------------------- a cycle

Watcher::Watcher(const Options& o, WatchSettings settings, GitMirror& mirror, Journal& journal,
                 Clock& clock, Console& io, std::atomic<bool>& stop)
    : o_(o), settings_(std::move(settings)), mirror_(mirror), journal_(journal), clock_(clock),
      io_(io), stop_(stop) {}

ExitCode Watcher::Cycle() {
  std::string head, error;
  if (!mirror_.Fetch(settings_.branch, &head, &error)) {
    Log("fetch failed: " + error);
    return ExitCode::kError;
  }
  WatchLease lease(journal_, clock_, settings_.lease_ttl_ms);
  if (!Taken(lease)) return lease.status().ok ? ExitCode::kLocked : ExitCode::kError;
  return ReconcileHead(head);
}

ExitCode Watcher::ReconcileHead(const std::string& head) {
  std::vector<CommitStatus> newest;
  if (JournalStatus st = journal_.CommitStatuses(settings_.branch, 1, &newest); !st.ok) {
    Log("cannot read the journal: " + st.message);
    return ExitCode::kError;
  }
  bool again = !newest.empty() && newest[0].commit == head;
  if (again && Terminal(newest[0].state)) return CodeForState(newest[0].state);
  if (!newest.empty() && !again && newest[0].state == kPending) {
    newest[0].reason = "superseded by " + head.substr(0, 12) + ": " + newest[0].reason;
    Put(newest[0]);
  }
  CommitInfo info;
  std::string error;
  if (!mirror_.ReadCommit(head, &info, &error)) {
    Log(error);
    return ExitCode::kError;
  }
  CommitStatus commit = again ? newest[0] : NewCommitStatus(info, settings_.branch, clock_.WallMs());
  Log((again ? "retrying commit " : "new commit ") + head.substr(0, 12) + " on " +
      settings_.branch + ": " + info.subject + " (" + info.author + ")");
  if (settings_.signatures.required() &&
      !VerifyCommitSignature(settings_.signatures, info, &commit.signer, &error)) {
    Fail(&commit, "signature refused: " + error);
    return ExitCode::kError;
  }
  std::optional<Fleet> fleet = LoadAt(head, &error);
  if (!fleet) {
    Fail(&commit, error);
    return ExitCode::kError;
  }
  std::vector<std::string> only = o_.clusters;  // empty: every cluster
  if (again) {
    only.clear();
    if (!ClustersToRetry(*fleet, head, &only)) return ExitCode::kError;
    if (only.empty()) {  // every cluster was settled; only the commit was not
      Finish(&commit);
      return CodeForState(commit.state);
    }
  }
  return ReconcileFleet(*fleet, only, &commit);
}

// The clusters of `fleet` (as --cluster selects) that have no final status at
// `commit` yet. False when the journal cannot be read.
bool Watcher::ClustersToRetry(const Fleet& fleet, const std::string& commit,
                              std::vector<std::string>* out) {
  std::vector<ClusterCommitStatus> done;
  if (JournalStatus st = journal_.ClusterStatuses(commit, &done); !st.ok) {
    Log("cannot read the journal: " + st.message);
    return false;
  }
  for (const Cluster& c : fleet.clusters) {
    if (!o_.clusters.empty() &&
        std::find(o_.clusters.begin(), o_.clusters.end(), c.name) == o_.clusters.end())
      continue;
    auto it = std::find_if(done.begin(), done.end(),
                           [&](const ClusterCommitStatus& s) { return s.cluster == c.name; });
    if (it == done.end() || it->state == kPending) out->push_back(c.name);
  }
  return true;
}

ExitCode Watcher::ReconcileFleet(const Fleet& fleet, const std::vector<std::string>& only,
                                 CommitStatus* commit) {
  commit->state = kPending;
  commit->reason = "planning";
  Put(*commit);
  if (stopping()) return ExitCode::kOk;
  Options live = LiveOptions();
  std::unique_ptr<Transport> transport = MakeSshTransport(live, fleet, io_);
  if (!transport) {
    commit->reason = "cannot make the SSH transport; retrying on the next cycle";
    Put(*commit);
    return ExitCode::kError;
  }
  ObservedFleet observed = GatherLive(live, fleet, only, *transport, io_);
  Plan plan = Compile(fleet, observed, CompileOptions{only});
  plan.commit = commit->commit;
  io_.out << RenderPlanText(plan) << std::flush;
  std::vector<ClusterCommitStatus> statuses;
  Plan chosen = Choose(fleet, plan, Policy::kAutoApply, &statuses);
  if (!chosen.clusters.empty())
    Apply(fleet, chosen, *transport, "applied", &statuses, &commit->run_id);
  for (const ClusterCommitStatus& s : statuses) Put(s);
  Finish(commit);
  return CodeFor(plan, statuses);
}

Plan Watcher::Choose(const Fleet& fleet, const Plan& plan, Policy policy,
                     std::vector<ClusterCommitStatus>* statuses) {
  std::vector<ClusterCommitStatus> newest;
  if (JournalStatus st = journal_.ClusterStatuses("", &newest); !st.ok)
    Log("warning: cannot read the clusters' statuses: " + st.message);
  Plan chosen = plan;
  chosen.clusters.clear();
  for (const ClusterPlan& cp : plan.clusters) {
    ClusterCommitStatus s{plan.commit, cp.cluster, kApplied, "in sync",
                          static_cast<int>(cp.steps.size()), 0, clock_.WallMs()};
    auto held = std::find_if(newest.begin(), newest.end(), [&](const ClusterCommitStatus& n) {
      return n.cluster == cp.cluster && n.state == kHeld;
    });
    const Cluster* cluster = fleet.FindCluster(cp.cluster);
    GitopsPolicy p = PolicyFor(fleet.config.gitops, *cluster);
    bool allowed = policy == Policy::kAutoApply ? p.auto_apply : p.auto_correct;
    switch (cp.status) {
      case ClusterStatus::kInSync:
        break;
      case ClusterStatus::kUnsafe:
        s.state = kFailed;
        s.reason = "no safe plan: " + (cp.refusal ? cp.refusal->message : std::string("refused"));
        break;
      case ClusterStatus::kUnobservable:
        s.state = kPending;
        s.reason = "not observed: " + Join(cp.unobservable);
        break;
      case ClusterStatus::kChanges:
        if (held != newest.end()) {
          s.state = kHeld;
          s.reason = HeldReason(*held);
        } else if (!allowed) {
          s.state = kPlanned;
          s.reason = Count(cp.steps.size(), "step") + " planned; [gitops] " +
                     (policy == Policy::kAutoApply ? "auto_apply" : "auto_correct") +
                     " is off for it: apply with 'harc apply --ref " + plan.commit.substr(0, 12) +
                     " --cluster " + cp.cluster + "'";
        } else {
          chosen.clusters.push_back(cp);
          continue;
        }
        break;
    }
    statuses->push_back(s);
  }
  return chosen;
}

void Watcher::Apply(const Fleet& fleet, const Plan& plan, Transport& transport,
                    const std::string& why, std::vector<ClusterCommitStatus>* statuses,
                    int64_t* run_id) {
  std::vector<std::string> names;
  for (const ClusterPlan& cp : plan.clusters) names.push_back(cp.cluster);
  Log("applying " + plan.commit.substr(0, 12) + " to " + Join(names, ", "));
  Progress progress(io_.out, ProgressStyle::kPlain, clock_);
  RolloutResult result;
  const bool stopped = stopping();
  bool ran = !stopped && RunJournaled(LiveOptions(), fleet, plan, transport, journal_, clock_,
                                      &progress, io_, &result, run_id);
  if (ran) progress.Summary(result, RolloutExitCode(result));
  if (ran && result.interrupted) stop_.store(true);
  for (size_t i = 0; i < plan.clusters.size(); ++i) {
    const ClusterPlan& cp = plan.clusters[i];
    ClusterCommitStatus s{plan.commit, cp.cluster, kPending,
                          stopped ? "not applied: harc watch was stopped"
                                  : "not applied: the run could not be journaled",
                          static_cast<int>(cp.steps.size()), *run_id, clock_.WallMs()};
    if (ran) FromResult(result.clusters[i], result.interrupted, why, &s);  // in plan order
    statuses->push_back(s);
  }
}

// ------------------------------------------------------------- helpers

Options Watcher::LiveOptions() const {
  Options live = o_;
  live.repo = IsLocalPath(o_.repo) ? o_.repo : ".";
  live.ref.clear();
  return live;
}

std::optional<Fleet> Watcher::LoadAt(const std::string& commit, std::string* reason) {
  Options at = o_;
  at.repo = mirror_.dir();
  at.ref = commit.substr(0, 12);  // errors name files "<ref>:<path>", as git show does
  std::ostringstream err;
  Console quiet{io_.out, err};
  std::optional<Fleet> fleet = LoadSelectedFleet(at, quiet);
  io_.err << err.str() << std::flush;
  if (!fleet) *reason = LoadFailure(err.str());
  return fleet;
}

void Watcher::Finish(CommitStatus* commit) {
  std::vector<ClusterCommitStatus> all;
  if (JournalStatus st = journal_.ClusterStatuses(commit->commit, &all); !st.ok)
    Log("warning: " + st.message);
  commit->state = Worst(all);
  commit->reason = Summary(all);
  Put(*commit);
  Log("commit " + commit->commit.substr(0, 12) + ": " + ReconcileStateName(commit->state) + ": " +
      commit->reason);
}

void Watcher::Fail(CommitStatus* commit, const std::string& reason) {
  commit->state = kFailed;
  commit->reason = reason;
  Put(*commit);
  Log("commit " + commit->commit.substr(0, 12) + " refused, nothing changed: " + reason);
}

bool Watcher::Put(const ClusterCommitStatus& s) {
  JournalStatus st = journal_.PutClusterStatus(s);
  if (!st.ok) Log("warning: " + st.message);
  return st.ok;
}

bool Watcher::Put(CommitStatus c) {
  c.updated_ms = clock_.WallMs();
  JournalStatus st = journal_.PutCommitStatus(c);
  if (!st.ok) Log("warning: " + st.message);
  return st.ok;
}

void Watcher::Log(const std::string& line) {
  io_.out << FormatTime(clock_.WallMs()) << " " << line << "\n" << std::flush;
}

}  // namespace harc
