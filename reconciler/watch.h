// harc watch and harc reconcile --once: the GitOps loop (DESIGN.md §6).
//
// A cycle fetches the branch into harc's own clone (git_mirror.h) and, when
// its head is a commit not yet reconciled (or one with clusters still
// pending), reconciles it under the journal's "@watch" lease, so that two
// watchers sharing a journal take turns and the second finds the work done
// instead of applying a plan made before the first one acted:
//
//  1. verify the commit's signature when signatures are required
//     (commit_signature.h); refused: the commit is 'failed', nothing changes;
//  2. load and validate the fleet at the commit; invalid: 'failed' likewise;
//  3. gather, compile and prove a plan; print it;
//  4. per cluster: in sync -> 'applied'; no safe plan -> 'failed'; not
//     observable -> 'pending' (retried next cycle); held before (a step failed
//     under an earlier commit) -> stays 'held', planned only, until harc sees
//     it in sync; [gitops] auto_apply off -> 'planned'; else applied in one
//     journaled run (apply_run.h): converged -> 'applied', held -> 'held',
//     locked by another run -> 'pending';
//  5. record each cluster's status and the commit's (the worst of them).
//
// A scheduled drift check (--drift-every) reports on the newest reconciled
// commit (drift_check.h), records the report, and re-applies that commit to
// the drifted clusters whose policy has auto_correct and whose state was
// 'applied'.
//
// Stopping (SIGINT/SIGTERM): between cycles harc exits at once; during
// gathering it finishes gathering and applies nothing; during a rollout each
// running cluster finishes its step and holds (apply_run.h), the clusters
// stopped that way are 'pending' and resume on the next start.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "compiler/model.h"
#include "compiler/plan.h"
#include "reconciler/clock.h"
#include "reconciler/command.h"
#include "reconciler/commit_signature.h"
#include "reconciler/git_mirror.h"
#include "reconciler/journal.h"
#include "reconciler/lease_renewer.h"
#include "reconciler/rollout.h"
#include "reconciler/transport.h"

namespace harc {

// The lease a cycle or drift check holds in the journal (not a cluster name:
// those are identifiers, which cannot start with '@').
inline constexpr const char* kWatchLease = "@watch";

struct WatchSettings {
  std::string branch = "main";
  SignaturePolicy signatures;
  int64_t lease_ttl_ms = 120'000;
};

// The "@watch" lease, held while it lives (renewed in the background) and
// released when it ends. A holder whose process is gone (lease_owner.h) is
// taken over at once; any other holder makes the lease not taken.
class WatchLease {
 public:
  WatchLease(Journal& journal, Clock& clock, int64_t ttl_ms);
  ~WatchLease();
  WatchLease(const WatchLease&) = delete;
  WatchLease& operator=(const WatchLease&) = delete;

  bool taken() const { return taken_; }
  const Lease& holder() const { return holder_; }  // when not taken
  const JournalStatus& status() const { return status_; }

 private:
  Journal& journal_;
  JournalStatus status_;
  bool taken_ = false;
  Lease lease_;
  Lease holder_;
  std::optional<LeaseRenewer> renewer_;
};

class Watcher {
 public:
  // `o` as the command line gave it (repo: the URL or path being watched).
  // Once `stop` is true (a signal handler may set it) no new gathering or
  // apply starts; a rollout stopped by a signal sets it.
  Watcher(const Options& o, WatchSettings settings, GitMirror& mirror, Journal& journal,
          Clock& clock, Console& io, std::atomic<bool>& stop);

  // Fetches and reconciles the branch's head if there is work for it.
  // Exit code as `harc apply` would give for the commit's clusters (0 also
  // when there was nothing to do; 4 while a cluster stays held); 1 when the
  // fetch failed or the commit was refused; 5 when another watcher holds the
  // lease.
  ExitCode Cycle();
  // A drift report on the newest reconciled commit, and corrections where
  // allowed. Exit code as `harc drift` gives for the report (or 1, 5).
  ExitCode DriftCheck();

  bool stopping() const { return stop_.load(); }

 private:
  enum class Policy { kAutoApply, kAutoCorrect };

  // True when `lease` is taken; else says why (a holder only when it changed).
  bool Taken(const WatchLease& lease);

  ExitCode ReconcileHead(const std::string& head);
  bool ClustersToRetry(const Fleet& fleet, const std::string& commit,
                       std::vector<std::string>* out);
  ExitCode ReconcileFleet(const Fleet& fleet, const std::vector<std::string>& only,
                          CommitStatus* commit);
  // The plan's clusters that `policy` lets harc apply now; every other
  // cluster's status is added to *statuses.
  Plan Choose(const Fleet& fleet, const Plan& plan, Policy policy,
              std::vector<ClusterCommitStatus>* statuses);
  // Applies `plan` as one run; each cluster's result is added to *statuses.
  void Apply(const Fleet& fleet, const Plan& plan, Transport& transport, const std::string& why,
             std::vector<ClusterCommitStatus>* statuses, int64_t* run_id);
  // The options for gathering and applying: relative harc.toml paths are
  // relative to --repo when it is a directory, else to the working directory.
  Options LiveOptions() const;
  std::optional<Fleet> LoadAt(const std::string& commit, std::string* reason);
  // The commit's state and reason from all its clusters' statuses.
  void Finish(CommitStatus* commit);
  void Fail(CommitStatus* commit, const std::string& reason);
  bool Put(const ClusterCommitStatus& s);
  bool Put(CommitStatus c);
  void Log(const std::string& line);

  const Options o_;
  const WatchSettings settings_;
  GitMirror& mirror_;
  Journal& journal_;
  Clock& clock_;
  Console& io_;
  std::atomic<bool>& stop_;
  int64_t busy_token_ = 0;  // the other watcher's lease last reported
};

}  // namespace harc
