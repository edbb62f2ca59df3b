// `harc plan` output, written for someone reading it under pressure: one header
// per cluster, then one line per step that reads as a sentence ("install hotfix
// R81.20_T89 on m2"), with the serving count where it changes and the reason,
// then the command and what harc waits for. Columns align within a cluster.
// Problems are in capitals (UNSAFE, UNOBSERVABLE, DISRUPTIVE) so they stand out
// without colour.
#include "compiler/plan_text.h"

#include <algorithm>
#include <string_view>

#include <fmt/format.h>

#include "compiler/diag.h"

namespace harc {

namespace {

constexpr size_t kMaxObjectWidth = 40;  // a longer object overflows its column

// Reasons and unobservable errors carry text from the devices.
std::string Shown(std::string_view s) { return ShowControlBytes(s); }

// 1800000 -> "30m", 90000 -> "1m30s", 500 -> "500ms".
std::string FormatDuration(int ms) {
  if (ms % 1000 != 0) return fmt::format("{}ms", ms);
  const int s = ms / 1000;
  std::string out;
  if (s >= 3600) out += fmt::format("{}h", s / 3600);
  if (s % 3600 >= 60) out += fmt::format("{}m", s % 3600 / 60);
  if (s % 60 != 0 || out.empty()) out += fmt::format("{}s", s % 60);
  return out;
}

std::string Count(size_t n, const char* one, const char* many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

// What the action acts on, so "<action> <object>" reads as a sentence.
std::string StepObject(const Step& s) {
  switch (s.action) {
    case Action::kInstall:
      return Shown(fmt::format("{} {} on {}", s.component, s.version, s.member));
    case Action::kSet: return Shown(fmt::format("{}={} on {}", s.setting, s.value, s.member));
    case Action::kFailover: return Shown(fmt::format("{} -> {}", s.member, s.target));
    default: return Shown(s.member);
  }
}

// "serving 4 -> 3" where the step changes it, else "serving 4".
std::string Serving(const Step& s) {
  if (s.serving_before == s.serving_after) return fmt::format("serving {}", s.serving_before);
  return fmt::format("serving {} -> {}", s.serving_before, s.serving_after);
}

std::string Reason(const Step& s) {
  return Shown(s.disruptive ? "DISRUPTIVE: " + s.reason : s.reason);
}

// "until version.hotfix = R81.20_T89 (30m)"; "(30m, stable 10s)" with a hold time.
std::string Until(const Step& s) {
  std::string out = Shown(fmt::format("until {} = {}", s.until->fact, s.until->is));
  if (s.timeout_ms <= 0) return out;
  if (s.stable_ms <= 0) return out + fmt::format(" ({})", FormatDuration(s.timeout_ms));
  return out + fmt::format(" ({}, stable {})", FormatDuration(s.timeout_ms),
                           FormatDuration(s.stable_ms));
}

struct Columns {
  size_t object = 0;
  size_t serving = 0;
};

Columns Measure(const std::vector<Step>& steps) {
  Columns cols;
  for (const Step& s : steps) {
    cols.object = std::max(cols.object, std::min(StepObject(s).size(), kMaxObjectWidth));
    cols.serving = std::max(cols.serving, Serving(s).size());
  }
  return cols;
}

std::string TrimRight(std::string s) {
  s.erase(s.find_last_not_of(' ') + 1);
  return s;
}

// "  3. drain    m2   serving 4 -> 3  take m2 out of service before its upgrade",
// then the command and the until-condition under the action.
void RenderStep(std::string* out, size_t number, const Step& s, const Columns& cols) {
  *out += TrimRight(fmt::format("{:>3}. {:<8} {:<{}}  {:<{}}  {}", number, ActionName(s.action),
                                StepObject(s), cols.object, Serving(s), cols.serving,
                                Reason(s))) +
          "\n";
  if (!s.command.empty()) *out += fmt::format("     $ {}\n", Shown(s.command));
  if (s.until) *out += fmt::format("     {}\n", Until(s));
}

std::string StatusText(const ClusterPlan& c) {
  switch (c.status) {
    case ClusterStatus::kInSync: return "in sync";
    case ClusterStatus::kUnsafe: return "UNSAFE";
    case ClusterStatus::kUnobservable: return "UNOBSERVABLE";
    case ClusterStatus::kChanges: break;
  }
  const size_t disruptive = std::count_if(c.steps.begin(), c.steps.end(),
                                          [](const Step& s) { return s.disruptive; });
  std::string out = "changes: " + Count(c.steps.size(), "step", "steps");
  if (disruptive > 0) out += fmt::format(", {} DISRUPTIVE", disruptive);
  return out;
}

// "fw-east (maestro, wave canary): changes: 6 steps, 1 DISRUPTIVE"
std::string Header(const ClusterPlan& c) {
  return Shown(fmt::format("{} ({}, wave {}): {}", c.cluster, c.platform, c.wave, StatusText(c))) +
         "\n";
}

// "refused at step 4: rule min-serving: <message>", then that step.
void RenderRefusal(std::string* out, const ClusterPlan& c) {
  const Refusal& r = *c.refusal;
  const std::string where = r.step > 0 ? fmt::format(" at step {}", r.step) : "";
  *out += "  " + Shown(fmt::format("refused{}: rule {}: {}", where, r.rule, r.message)) + "\n";
  const size_t index = static_cast<size_t>(r.step);
  if (r.step > 0 && index <= c.steps.size())
    RenderStep(out, index, c.steps[index - 1], Measure({c.steps[index - 1]}));
}

std::string RenderCluster(const ClusterPlan& c) {
  std::string out = Header(c);
  switch (c.status) {
    case ClusterStatus::kChanges: {
      const Columns cols = Measure(c.steps);
      for (size_t i = 0; i < c.steps.size(); ++i) RenderStep(&out, i + 1, c.steps[i], cols);
      break;
    }
    case ClusterStatus::kUnsafe:
      if (c.refusal) RenderRefusal(&out, c);
      break;
    case ClusterStatus::kUnobservable:
      for (const std::string& why : c.unobservable) out += "  " + Shown(why) + "\n";
      break;
    case ClusterStatus::kInSync: break;
  }
  return out;
}

size_t CountStatus(const Plan& plan, ClusterStatus status) {
  return std::count_if(plan.clusters.begin(), plan.clusters.end(),
                       [status](const ClusterPlan& c) { return c.status == status; });
}

// "Plan: 1 cluster to change (6 steps), 2 in sync, 0 unsafe, 1 unobservable."
std::string Summary(const Plan& plan) {
  size_t steps = 0;
  for (const ClusterPlan& c : plan.clusters)
    if (c.status == ClusterStatus::kChanges) steps += c.steps.size();
  return fmt::format("Plan: {} to change ({}), {} in sync, {} unsafe, {} unobservable.\n",
                     Count(CountStatus(plan, ClusterStatus::kChanges), "cluster", "clusters"),
                     Count(steps, "step", "steps"), CountStatus(plan, ClusterStatus::kInSync),
                     CountStatus(plan, ClusterStatus::kUnsafe),
                     CountStatus(plan, ClusterStatus::kUnobservable));
}

}  // namespace

std::string RenderPlanText(const Plan& plan) {
  std::string out;
  bool last_was_one_line = true;  // a blank line separates a block of several lines
  for (const ClusterPlan& c : plan.clusters) {
    const std::string block = RenderCluster(c);
    const bool one_line = std::count(block.begin(), block.end(), '\n') == 1;
    if (!out.empty() && !(one_line && last_was_one_line)) out += "\n";
    out += block;
    last_was_one_line = one_line;
  }
  if (!out.empty()) out += "\n";
  return out + Summary(plan);
}

}  // namespace harc
