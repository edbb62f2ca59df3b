#include "reconciler/apply.h"

#include <algorithm>
#include <csignal>
#include <map>
#include <set>

#include "compiler/diag.h"

namespace harc {
namespace {

using Probes = std::map<std::string, MemberFacts>;

// The last `n` bytes of what a command printed, stdout then stderr.
std::string Tail(const CommandResult& r, size_t n) {
  std::string all = r.out;
  if (!r.err.empty()) all += (all.empty() || all.back() == '\n' ? "" : "\n") + r.err;
  return all.size() <= n ? all : all.substr(all.size() - n);
}

// The last non-empty line of s, quoted for a message.
std::string LastLine(const std::string& s) {
  size_t end = s.find_last_not_of("\r\n");
  if (end == std::string::npos) return "";
  size_t start = s.rfind('\n', end);
  start = start == std::string::npos ? 0 : start + 1;
  return QuoteForMessage(s.substr(start, end + 1 - start));
}

std::string Seconds(int64_t ms) {
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

std::string ConditionText(const Condition& c) { return c.fact + " = " + c.is; }

// The facts a step reads before it runs, per member: its guards and `until`.
std::map<std::string, std::set<std::string>> FactsOf(const Step& s) {
  std::map<std::string, std::set<std::string>> out;
  for (const Condition& g : s.guard) out[g.member.empty() ? s.member : g.member].insert(g.fact);
  if (s.until) out[s.member].insert(s.until->fact);
  return out;
}

bool Holds(const MemberFacts& f, const Condition& c) {
  auto it = f.values.find(c.fact);
  return f.reached && it != f.values.end() && ConditionMatches(c.is, it->second);
}

// Reads and judges a step's `until` while waiting for it.
struct Sample {
  bool holds = false;
  std::string seen;  // "m2 role is 'down'"
};

class ClusterApplier {
 public:
  ClusterApplier(const ClusterPlan& plan, const Cluster& cluster, const Platform& platform,
                 Transport& transport, Journal& journal, Clock& clock, const Lease& lease,
                 const ApplyOptions& options)
      : plan_(plan),
        run_settings_(platform.run_settings),
        links_(cluster, platform, plan.steps, transport, options.probe),
        journal_(journal),
        clock_(clock),
        lease_(lease),
        o_(options),
        interrupted_(options.interrupted) {
    result_.cluster = plan.cluster;
    result_.wave = plan.wave;
    result_.steps = static_cast<int>(plan.steps.size());
  }

  ClusterResult Run() {
    for (int i = 1; i <= result_.steps; ++i)
      if (!RunStep(i, plan_.steps[static_cast<size_t>(i - 1)])) return result_;
    result_.outcome = Outcome::kConverged;
    return result_;
  }

 private:
  bool RunStep(int i, const Step& s);
  bool Skip(int i, const Step& s, const std::string& why);
  bool Send(int i, const Step& s);
  bool FinishWait(int i, const Step& s, StepRecord rec, int64_t deadline);
  enum class Resumed { kNo, kDone, kHeld };
  Resumed Resume(int i, const Step& s);
  std::string FailedGuard(const Step& s, Probes& probes);
  Sample ReadUntil(const Step& s);
  // kStopped: the lease was lost or a stop-now was asked.
  enum class WaitEnd { kHolds, kTimeout, kStopped };
  WaitEnd Wait(const Step& s, int64_t deadline, std::string* why);
  bool LeaseOk(std::string* why);
  bool MaybeHeartbeat(std::string* why);
  bool Record(const StepRecord& r, std::string* why);
  StepRecord NewRecord(int i, const Step& s, StepState state) const;
  bool Hold(int i, const std::string& why);
  bool IsHold(const Step& s) const;
  bool IsRestore(const Step& s) const;
  bool RecordHeld(const Step& s, const MemberFacts& before, std::string* why);
  bool ClearHeld(const Step& s, std::string* why);
  void Emit(int i, const Step& s, StepPhase phase, const std::string& detail, int exit = -1);

  const ClusterPlan& plan_;
  const std::map<std::string, std::string>& run_settings_;  // the platform's
  MemberLinks links_;
  Journal& journal_;
  Clock& clock_;
  const Lease& lease_;
  const ApplyOptions& o_;
  std::optional<StepRecord> interrupted_;
  int64_t last_heartbeat_ms_ = 0;  // monotonic
  ClusterResult result_;
};

// ------------------------------------------------------------- one step

bool ClusterApplier::RunStep(int i, const Step& s) {
  std::string why;
  if (!LeaseOk(&why)) return Hold(i, why);
  if (o_.stop && o_.stop->level() >= StopSignal::kAfterStep)
    return Hold(i, StepLabel(i, s) + " not started: " + o_.stop->reason());

  if (s.action == Action::kBackup && o_.backed_up_by > 0)
    return Skip(i, s, "kept the backup interrupted run " + std::to_string(o_.backed_up_by) +
                          " took before its first change");
  Probes probes;
  for (const auto& [member, facts] : FactsOf(s)) probes[member] = links_.Read(member, facts);
  if (s.until && Holds(probes[s.member], *s.until))
    return Skip(i, s, "already holds: " + DescribeFact(probes[s.member], s.member, s.until->fact));
  switch (Resume(i, s)) {
    case Resumed::kDone: return true;
    case Resumed::kHeld: return false;
    case Resumed::kNo: break;
  }
  std::string failed = FailedGuard(s, probes);
  if (!failed.empty()) {
    StepRecord rec = NewRecord(i, s, StepState::kFailed);
    rec.reason = "not run: guard failed: " + failed;
    rec.ended_ms = rec.started_ms;
    if (!Record(rec, &why)) return Hold(i, why);
    Emit(i, s, StepPhase::kFailed, rec.reason);
    return Hold(i, StepLabel(i, s) + " " + rec.reason);
  }
  if (IsHold(s) && !RecordHeld(s, probes[s.member], &why))
    return Hold(i, StepLabel(i, s) + " not run: " + why);
  return Send(i, s);
}

bool ClusterApplier::Skip(int i, const Step& s, const std::string& why) {
  StepRecord rec = NewRecord(i, s, StepState::kSkipped);
  rec.reason = why;
  rec.ended_ms = rec.started_ms;
  std::string error;
  if (!Record(rec, &error) || !ClearHeld(s, &error)) return Hold(i, error);
  ++result_.skipped;
  Emit(i, s, StepPhase::kSkipped, why);
  return true;
}

// "" when every guard holds; else the first that does not, with what was seen.
std::string ClusterApplier::FailedGuard(const Step& s, Probes& probes) {
  for (const Condition& g : s.guard) {
    const std::string& member = g.member.empty() ? s.member : g.member;
    const MemberFacts& f = probes[member];
    if (Holds(f, g)) continue;
    return DescribeFact(f, member, g.fact) + "; expected " + member + " " + g.fact + " " +
           QuoteForMessage(g.is);
  }
  return "";
}

bool ClusterApplier::Send(int i, const Step& s) {
  std::string why;
  StepRecord rec = NewRecord(i, s, StepState::kStarted);
  if (!Record(rec, &why)) return Hold(i, StepLabel(i, s) + " not run: " + why);
  Emit(i, s, StepPhase::kRunning, "");
  int64_t deadline = clock_.MonotonicMs() + s.timeout_ms;
  CommandResult r;
  bool sent = false;
  TransportStatus st = links_.Run(s.member, s.command, s.timeout_ms, o_.max_output, &r, &sent);
  if (sent) ++result_.ran;
  rec.exit_status = r.exit_status;
  rec.output_tail = Tail(r, o_.output_tail);
  if (st.ok() && r.exit_status == 0) return FinishWait(i, s, rec, deadline);
  if (!st.ok() && sent && s.until) {
    // The connection broke under the command (an install that reboots the
    // member does that): its result is unknown, so its condition decides.
    Emit(i, s, StepPhase::kWaiting, "connection lost during the command (" + st.message + ")");
    return FinishWait(i, s, rec, deadline);
  }
  rec.state = StepState::kFailed;
  rec.ended_ms = clock_.WallMs();
  if (!st.ok()) rec.reason = std::string(sent ? "" : "not sent: ") + TransportErrorName(st.error) +
                             ": " + st.message;
  else rec.reason = "command exited " + std::to_string(r.exit_status) +
                    (LastLine(rec.output_tail).empty() ? "" : ": " + LastLine(rec.output_tail));
  if (!Record(rec, &why)) return Hold(i, why);
  Emit(i, s, StepPhase::kFailed, rec.reason, r.exit_status);
  return Hold(i, StepLabel(i, s) + ": " + rec.reason);
}

// After the command: wait for `until` (if any), then record the step's end.
bool ClusterApplier::FinishWait(int i, const Step& s, StepRecord rec, int64_t deadline) {
  std::string why;
  bool ok = true;
  if (s.until) {
    Emit(i, s, StepPhase::kWaiting, ConditionText(*s.until));
    ok = Wait(s, deadline, &why) == WaitEnd::kHolds;
  }
  rec.state = ok ? StepState::kDone : StepState::kFailed;
  rec.reason = why;
  rec.ended_ms = clock_.WallMs();
  std::string error;
  if (!Record(rec, &error) || (ok && !ClearHeld(s, &error))) return Hold(i, error);
  Emit(i, s, ok ? StepPhase::kDone : StepPhase::kFailed, why, rec.exit_status);
  return ok || Hold(i, StepLabel(i, s) + ": " + why);
}

// The step an interrupted run had started: wait out what was left of its
// deadline for its condition before sending the command again.
ClusterApplier::Resumed ClusterApplier::Resume(int i, const Step& s) {
  if (!interrupted_ || !s.until) return Resumed::kNo;
  const StepRecord was = *interrupted_;
  if (was.state != StepState::kStarted || was.action != s.ActionKey() || was.member != s.member ||
      was.command != s.command)
    return Resumed::kNo;
  interrupted_.reset();  // once
  int64_t left = was.started_ms + s.timeout_ms - clock_.WallMs();
  if (left <= 0) return Resumed::kNo;
  // Journaled as this run's step, started when that run started it: a run
  // killed while it waits here leaves the next one the same step to resume.
  StepRecord rec = NewRecord(i, s, StepState::kStarted);
  rec.started_ms = was.started_ms;
  std::string why;
  if (!Record(rec, &why)) {
    Hold(i, StepLabel(i, s) + ": " + why);
    return Resumed::kHeld;
  }
  std::string run = "run " + std::to_string(was.run_id);
  Emit(i, s, StepPhase::kWaiting, run + " was stopped during this step; waiting up to " +
                                      Seconds(left) + " for " + ConditionText(*s.until));
  switch (Wait(s, clock_.MonotonicMs() + left, &why)) {
    case WaitEnd::kHolds:
      return Skip(i, s, "completed by interrupted " + run) ? Resumed::kDone : Resumed::kHeld;
    case WaitEnd::kTimeout:
      return Resumed::kNo;  // it did not complete: run it again
    case WaitEnd::kStopped:
      break;
  }
  Hold(i, StepLabel(i, s) + ": " + why);
  return Resumed::kHeld;
}

// ------------------------------------------------------------- waiting

Sample ClusterApplier::ReadUntil(const Step& s) {
  MemberFacts f = links_.Read(s.member, {s.until->fact});
  return {Holds(f, *s.until), DescribeFact(f, s.member, s.until->fact)};
}

// Polls `until` until it has held for stable_ms in a row; otherwise *why.
ClusterApplier::WaitEnd ClusterApplier::Wait(const Step& s, int64_t deadline, std::string* why) {
  int64_t since = -1;  // monotonic ms since which `until` has held
  for (;;) {
    Sample sample = ReadUntil(s);
    int64_t now = clock_.MonotonicMs();
    if (!sample.holds) since = -1;
    else if (since < 0) since = now;
    if (since >= 0 && now - since >= s.stable_ms) return WaitEnd::kHolds;
    if (now >= deadline) {
      *why = "timed out after " + Seconds(s.timeout_ms) + " waiting for " +
             ConditionText(*s.until) + ": " + sample.seen;
      if (since >= 0) *why += ", for " + Seconds(now - since) + " of " + Seconds(s.stable_ms);
      return WaitEnd::kTimeout;
    }
    if (o_.stop && o_.stop->level() >= StopSignal::kNow) {
      *why = "stopped waiting for " + ConditionText(*s.until) + ": " + o_.stop->reason();
      return WaitEnd::kStopped;
    }
    if (!MaybeHeartbeat(why)) return WaitEnd::kStopped;
    int64_t next = std::min(now + std::max(s.interval_ms, 1), deadline);
    if (since >= 0) next = std::min(next, since + s.stable_ms);
    clock_.SleepMs(next - now);
  }
}

// ------------------------------------------------------------- the lease

bool ClusterApplier::LeaseOk(std::string* why) {
  bool ours = false;
  JournalStatus st = journal_.Heartbeat(lease_.cluster, lease_.token, clock_.WallMs(),
                                        o_.lease_ttl_ms, &ours);
  last_heartbeat_ms_ = clock_.MonotonicMs();
  if (!st.ok) *why = "cannot renew the lease: " + st.message;
  else if (!ours)
    *why = "lease lost: another run took cluster " + lease_.cluster + " over (our token " +
           std::to_string(lease_.token) + ")";
  return st.ok && ours;
}

bool ClusterApplier::MaybeHeartbeat(std::string* why) {
  if (clock_.MonotonicMs() - last_heartbeat_ms_ < o_.lease_ttl_ms / 3) return true;
  return LeaseOk(why);
}

// ------------------------------------------------------------- held settings

bool ClusterApplier::IsHold(const Step& s) const {
  auto it = run_settings_.find(s.setting);
  return s.action == Action::kSet && it != run_settings_.end() && it->second == s.value;
}

bool ClusterApplier::IsRestore(const Step& s) const {
  auto it = run_settings_.find(s.setting);
  return s.action == Action::kSet && it != run_settings_.end() && it->second != s.value;
}

// Journals the value the hold replaces, as `before` read it just now.
bool ClusterApplier::RecordHeld(const Step& s, const MemberFacts& before, std::string* why) {
  auto seen = s.until ? before.values.find(s.until->fact) : before.values.end();
  if (!before.reached || seen == before.values.end()) return true;  // nothing known to restore
  JournalStatus st =
      journal_.RecordHeld({plan_.cluster, s.member, s.setting, seen->second, o_.run_id});
  if (!st.ok) *why = st.message;
  return st.ok;
}

bool ClusterApplier::ClearHeld(const Step& s, std::string* why) {
  if (!IsRestore(s)) return true;
  JournalStatus st = journal_.ClearHeld(plan_.cluster, s.member, s.setting);
  if (!st.ok) *why = st.message;
  return st.ok;
}

// ------------------------------------------------------------- records

StepRecord ClusterApplier::NewRecord(int i, const Step& s, StepState state) const {
  StepRecord r;
  r.run_id = o_.run_id;
  r.cluster = plan_.cluster;
  r.index = i;
  r.action = s.ActionKey();
  r.member = s.member;
  r.state = state;
  r.command = s.command;
  r.started_ms = clock_.WallMs();
  return r;
}

bool ClusterApplier::Record(const StepRecord& r, std::string* why) {
  JournalStatus st = journal_.RecordStep(r);
  if (!st.ok) *why = "cannot journal step " + std::to_string(r.index) + ": " + st.message;
  return st.ok;
}

bool ClusterApplier::Hold(int i, const std::string& why) {
  result_.outcome = Outcome::kHeld;
  result_.held_at = i;
  result_.reason = why;
  return false;
}

void ClusterApplier::Emit(int i, const Step& s, StepPhase phase, const std::string& detail,
                          int exit) {
  if (!o_.observer) return;
  o_.observer->OnStep(StepEvent{plan_.cluster, plan_.wave, i, result_.steps, &s, phase, detail,
                                exit});
}

}  // namespace

const char* OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kConverged: return "converged";
    case Outcome::kHeld: return "held";
    case Outcome::kLocked: return "locked";
    case Outcome::kUnsafe: return "unsafe";
    case Outcome::kUnobservable: return "unobservable";
    case Outcome::kNotStarted: return "not started";
  }
  return "?";
}

std::string StopSignal::reason() const {
  if (interrupted()) {
    int signo = signo_.load();
    if (signo == SIGINT) return "interrupted (SIGINT)";
    if (signo == SIGTERM) return "interrupted (SIGTERM)";
    return "interrupted (signal " + std::to_string(signo) + ")";
  }
  return budget_.load() ? "failure budget spent" : "";
}

std::string StepWhat(const Step& s) {
  std::string what = s.ActionKey();
  switch (s.action) {
    case Action::kInstall: return what + " " + s.component + " " + s.version + " on " + s.member;
    case Action::kFailover: return what + " " + s.member + " -> " + s.target;
    case Action::kSet: return what + " " + s.value + " on " + s.member;
    default: return what + " " + s.member;
  }
}

std::string StepLabel(int index, const Step& s) {
  return "step " + std::to_string(index) + " (" + StepWhat(s) + ")";
}

ClusterResult ApplyCluster(const ClusterPlan& plan, const Cluster& cluster,
                           const Platform& platform, Transport& transport, Journal& journal,
                           Clock& clock, const Lease& lease, const ApplyOptions& options) {
  return ClusterApplier(plan, cluster, platform, transport, journal, clock, lease, options).Run();
}

}  // namespace harc
