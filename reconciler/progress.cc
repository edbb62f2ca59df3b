#include "reconciler/progress.h"

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace harc {
namespace {

using json = nlohmann::ordered_json;

const char* PhaseName(StepPhase p) {
  switch (p) {
    case StepPhase::kRunning: return "running";
    case StepPhase::kWaiting: return "waiting";
    case StepPhase::kDone: return "done";
    case StepPhase::kSkipped: return "skipped";
    case StepPhase::kFailed: return "failed";
  }
  return "?";
}

std::string Rfc3339(int64_t wall_ms) {
  time_t t = static_cast<time_t>(wall_ms / 1000);
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// The word the summary shows; unsafe, unobservable and not started are "skipped".
const char* SummaryWord(Outcome o) {
  switch (o) {
    case Outcome::kConverged: return "converged";
    case Outcome::kHeld: return "held";
    case Outcome::kLocked: return "locked";
    default: return "skipped";
  }
}

std::string SummaryDetail(const ClusterResult& r) {
  switch (r.outcome) {
    case Outcome::kConverged:
      if (r.steps == 0 || r.reason == "in sync") return "in sync";
      return std::to_string(r.steps) + " steps: " + std::to_string(r.ran) + " run, " +
             std::to_string(r.skipped) + " skipped";
    case Outcome::kHeld:
      if (r.held_at > 0 && !r.reason.starts_with("step "))
        return "at step " + std::to_string(r.held_at) + ": " + r.reason;
      return r.reason;
    case Outcome::kLocked: return "by " + r.reason;
    case Outcome::kUnsafe: return "unsafe: " + r.reason;
    case Outcome::kUnobservable: return "unobservable: " + r.reason;
    case Outcome::kNotStarted: return "not started: " + r.reason;
  }
  return r.reason;
}

std::string Pad(std::string s, size_t n) {
  if (s.size() < n) s.resize(n, ' ');
  return s;
}

json ResultJson(const ClusterResult& r) {
  return json{{"cluster", r.cluster}, {"wave", r.wave},     {"outcome", OutcomeName(r.outcome)},
              {"reason", r.reason},   {"steps", r.steps},   {"ran", r.ran},
              {"skipped", r.skipped}, {"held_at", r.held_at}};
}

// JSON with invalid UTF-8 replaced, so remote output cannot break a line.
std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace

std::string FormatElapsed(int64_t ms) {
  int64_t s = std::max<int64_t>(ms, 0) / 1000;
  char buf[32];
  if (s < 60) std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(s));
  else if (s < 3600)
    std::snprintf(buf, sizeof buf, "%lldm%02llds", static_cast<long long>(s / 60),
                  static_cast<long long>(s % 60));
  else
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", static_cast<long long>(s / 3600),
                  static_cast<long long>(s / 60 % 60));
  return buf;
}

std::string RenderSummary(const RolloutResult& r) {
  int skipped = static_cast<int>(r.clusters.size()) - r.Count(Outcome::kConverged) -
                r.Count(Outcome::kHeld) - r.Count(Outcome::kLocked);
  std::string out = "Summary: " + std::to_string(r.Count(Outcome::kConverged)) + " converged, " +
                    std::to_string(r.Count(Outcome::kHeld)) + " held, " +
                    std::to_string(r.Count(Outcome::kLocked)) + " locked, " +
                    std::to_string(skipped) + " skipped" +
                    (r.interrupted ? " (interrupted)" : "") + ".\n";
  size_t width = 0;
  for (const ClusterResult& c : r.clusters) width = std::max(width, c.cluster.size());
  for (const ClusterResult& c : r.clusters)
    out += "  " + Pad(c.cluster, width) + "  " + Pad(SummaryWord(c.outcome), 9) + "  " +
           SummaryDetail(c) + "\n";
  return out;
}

// ------------------------------------------------------------- Progress

Progress::Progress(std::ostream& out, ProgressStyle style, Clock& clock, int width)
    : out_(out), style_(style), clock_(clock), width_(width) {
  if (style_ == ProgressStyle::kLive) ticker_ = std::thread([this] { Ticker(); });
}

Progress::~Progress() {
  {
    std::lock_guard lock(mu_);
    done_ = true;
  }
  cv_.notify_all();
  if (ticker_.joinable()) ticker_.join();
  std::lock_guard lock(mu_);
  EraseLive();
  out_.flush();
}

void Progress::Ticker() {
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, std::chrono::seconds(1), [this] { return done_; })) {
    EraseLive();
    DrawLive();
  }
}

std::string Progress::Stamp() const { return Rfc3339(clock_.WallMs()); }

void Progress::EraseLive() {
  if (drawn_ == 0) return;
  out_ << "\x1b[" << drawn_ << "F\x1b[J";  // up to the block's first line, clear below
  drawn_ = 0;
}

void Progress::DrawLive() {
  int64_t now = clock_.MonotonicMs();
  for (const auto& [cluster, l] : live_) {
    std::string line = "  " + cluster + " [" + l.wave + "] ";
    if (l.index > 0)  // 0: started, no step yet
      line += "step " + std::to_string(l.index) + "/" + std::to_string(l.count) + " " + l.what + ": ";
    line += l.doing;
    if (l.ticking) line += " " + FormatElapsed(now - l.since_ms);
    if (width_ > 1 && line.size() >= static_cast<size_t>(width_))
      line.resize(static_cast<size_t>(width_) - 1);
    out_ << line << "\n";
    ++drawn_;
  }
  out_.flush();
}

void Progress::Emit(const std::string& line) {
  if (style_ == ProgressStyle::kLive) {
    EraseLive();
    out_ << line << "\n";
    DrawLive();
    return;
  }
  out_ << Stamp() << " " << line << "\n";
  out_.flush();
}

void Progress::EmitJson(const std::string& body) {
  out_ << body << "\n";
  out_.flush();
}

void Progress::ClusterStarted(const ClusterPlan& plan) {
  std::lock_guard lock(mu_);
  if (style_ == ProgressStyle::kJson) {
    EmitJson(Dump(json{{"event", "cluster_started"}, {"time", Stamp()}, {"cluster", plan.cluster},
                       {"wave", plan.wave}, {"steps", plan.steps.size()}}));
    return;
  }
  live_[plan.cluster] = Live{plan.wave, 0, static_cast<int>(plan.steps.size()), "", "starting",
                             clock_.MonotonicMs()};
  if (style_ == ProgressStyle::kPlain)
    Emit(plan.cluster + ": started (wave " + plan.wave + ", " +
         std::to_string(plan.steps.size()) + " steps)");
  else
    Emit(plan.cluster + ": started");
}

void Progress::OnStep(const StepEvent& e) {
  std::lock_guard lock(mu_);
  std::string what = StepWhat(*e.step);
  int64_t now = clock_.MonotonicMs();
  if (e.phase == StepPhase::kRunning) step_started_[e.cluster] = now;
  if (style_ == ProgressStyle::kJson) {
    json j{{"event", "step"},        {"time", Stamp()},       {"cluster", e.cluster},
           {"wave", e.wave},         {"index", e.index},      {"count", e.count},
           {"action", e.step->ActionKey()}, {"member", e.step->member}, {"phase", PhaseName(e.phase)},
           {"detail", e.detail}};
    if (e.exit_status >= 0) j["exit_status"] = e.exit_status;
    EmitJson(Dump(j));
    return;
  }
  std::string head = e.cluster + ": step " + std::to_string(e.index) + "/" +
                     std::to_string(e.count) + " " + what + ": ";
  std::string text;
  switch (e.phase) {
    case StepPhase::kRunning: text = "running"; break;
    case StepPhase::kWaiting: text = "waiting for " + e.detail; break;
    case StepPhase::kDone:
      text = "done in " + FormatElapsed(now - step_started_[e.cluster]);
      break;
    case StepPhase::kSkipped: text = "skipped: " + e.detail; break;
    case StepPhase::kFailed: text = "FAILED: " + e.detail; break;
  }
  if (style_ == ProgressStyle::kLive) {
    Live& l = live_[e.cluster];
    bool ticking = e.phase == StepPhase::kRunning || e.phase == StepPhase::kWaiting;
    l = Live{e.wave, e.index, e.count, what, text, l.index != e.index ? now : l.since_ms, ticking};
    if (e.phase == StepPhase::kFailed) return Emit(head + text);
    EraseLive();
    DrawLive();
    return;
  }
  Emit(head + text);
}

void Progress::ClusterNote(const std::string& cluster, const std::string& note) {
  std::lock_guard lock(mu_);
  if (style_ == ProgressStyle::kJson)
    return EmitJson(
        Dump(json{{"event", "note"}, {"time", Stamp()}, {"cluster", cluster}, {"text", note}}));
  Emit(cluster + ": " + note);
}

void Progress::ClusterEnded(const ClusterResult& r) {
  std::lock_guard lock(mu_);
  live_.erase(r.cluster);
  step_started_.erase(r.cluster);
  if (style_ == ProgressStyle::kJson) {
    json j{{"event", "cluster_ended"}, {"time", Stamp()}};
    j.update(ResultJson(r));
    return EmitJson(Dump(j));
  }
  if (r.outcome == Outcome::kConverged && r.reason == "in sync") {
    if (style_ == ProgressStyle::kLive) {
      EraseLive();
      DrawLive();
    }
    return;  // the summary lists it; no line per quiet cluster
  }
  Emit(r.cluster + ": " + SummaryWord(r.outcome) + ": " + SummaryDetail(r));
}

void Progress::Message(const std::string& text) {
  std::lock_guard lock(mu_);
  if (style_ == ProgressStyle::kJson)
    return EmitJson(Dump(json{{"event", "message"}, {"time", Stamp()}, {"text", text}}));
  Emit(text);
}

void Progress::PlanJson(const std::string& plan_json) {
  if (style_ != ProgressStyle::kJson) return;
  std::lock_guard lock(mu_);
  json plan = json::parse(plan_json, nullptr, false);
  EmitJson(Dump(json{{"event", "plan"}, {"time", Stamp()}, {"plan", plan}}));
}

void Progress::Summary(const RolloutResult& r, ExitCode code) {
  std::lock_guard lock(mu_);
  if (style_ != ProgressStyle::kJson) {
    EraseLive();
    out_ << RenderSummary(r);
    out_.flush();
    return;
  }
  json clusters = json::array();
  for (const ClusterResult& c : r.clusters) clusters.push_back(ResultJson(c));
  EmitJson(Dump(json{{"event", "summary"},
                     {"time", Stamp()},
                     {"converged", r.Count(Outcome::kConverged)},
                     {"held", r.Count(Outcome::kHeld)},
                     {"locked", r.Count(Outcome::kLocked)},
                     {"unsafe", r.Count(Outcome::kUnsafe)},
                     {"unobservable", r.Count(Outcome::kUnobservable)},
                     {"not_started", r.Count(Outcome::kNotStarted)},
                     {"interrupted", r.interrupted},
                     {"exit_code", ToInt(code)},
                     {"clusters", clusters}}));
}

}  // namespace harc
