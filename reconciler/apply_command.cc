// harc apply [plan.json]: carry a plan out on the live fleet (DESIGN.md §5–6).
//
// Without a plan file: gather, compile, print the plan, ask (on a terminal)
// for confirmation, apply. With one: re-gather, refuse the whole plan (exit
// 6) when any fact a cluster's plan rests on changed, else apply exactly its
// steps. Then, as one journaled run: the rollout (rollout.h), progress as it
// goes (progress.h), a summary per cluster, and the exit code.
//
// SIGINT/SIGTERM during the rollout (apply_run.h): each running cluster
// finishes the step it is on and holds, and harc exits 4.
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "compiler/compile.h"
#include "compiler/plan_json.h"
#include "compiler/plan_text.h"
#include "reconciler/apply_run.h"
#include "reconciler/command.h"
#include "reconciler/gather.h"
#include "reconciler/held_settings.h"
#include "reconciler/interrupted_wait.h"
#include "reconciler/memory_journal.h"
#include "reconciler/progress.h"
#include "reconciler/rollout.h"

namespace harc {
namespace {

using Facts = std::map<std::string, std::map<std::string, std::string>>;

// ------------------------------------------------------------- inputs

std::optional<Plan> ReadSavedPlan(const std::string& path, Console& io) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    PrintError(io, "cannot read " + path + ": " + std::strerror(errno));
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  Plan plan;
  std::string error;
  if (!PlanFromJson(text.str(), &plan, &error)) {
    PrintError(io, path + ": not a valid plan: " + error);
    return std::nullopt;
  }
  return plan;
}

// Keeps the clusters --cluster names (all when none); each must be in the
// plan and in the fleet, on the platform the plan was made for.
bool SelectSaved(const Options& o, const Fleet& fleet, Plan* plan, Console& io) {
  std::vector<ClusterPlan> kept;
  for (ClusterPlan& cp : plan->clusters) {
    if (!o.clusters.empty() &&
        std::find(o.clusters.begin(), o.clusters.end(), cp.cluster) == o.clusters.end())
      continue;
    const Cluster* c = fleet.FindCluster(cp.cluster);
    if (!c || c->platform != cp.platform) {
      PrintError(io, "the plan's cluster " + cp.cluster + " (platform " + cp.platform +
                         ") is not in the fleet" + (c ? " on that platform" : ""));
      return false;
    }
    kept.push_back(std::move(cp));
  }
  for (const std::string& name : o.clusters)
    if (std::none_of(kept.begin(), kept.end(), [&](const ClusterPlan& k) { return k.cluster == name; })) {
      PrintError(io, "cluster " + name + " is not in the plan");
      return false;
    }
  plan->clusters = std::move(kept);
  return true;
}

// ------------------------------------------------------------- staleness

std::string Value(const Facts& facts, const std::string& member, const std::string& fact) {
  auto m = facts.find(member);
  if (m == facts.end()) return "<not observed>";
  auto f = m->second.find(fact);
  return f == m->second.end() ? "<none>" : "'" + f->second + "'";
}

// One line per fact that differs between `was` and `now`.
std::vector<std::string> Changes(const std::string& cluster, const Facts& was, const Facts& now) {
  std::set<std::pair<std::string, std::string>> keys;
  for (const Facts* side : {&was, &now})
    for (const auto& [member, facts] : *side)
      for (const auto& [fact, value] : facts) keys.insert({member, fact});
  std::vector<std::string> out;
  for (const auto& [member, fact] : keys) {
    std::string a = Value(was, member, fact), b = Value(now, member, fact);
    if (a != b) out.push_back(cluster + "/" + member + " " + fact + ": was " + a + ", now " + b);
  }
  return out;
}

// Checks each cluster of the saved plan against the live state. A cluster
// that can no longer be observed becomes unobservable (not applied); a
// changed fact makes the whole plan stale: every change is printed, false.
bool CheckFresh(const Fleet& fleet, const ObservedFleet& live, Plan* saved, Console& io) {
  std::vector<std::string> names;
  for (const ClusterPlan& cp : saved->clusters) names.push_back(cp.cluster);
  Plan fresh = Compile(fleet, live, CompileOptions{names});
  std::vector<std::string> changes;
  for (ClusterPlan& cp : saved->clusters) {
    if (cp.status != ClusterStatus::kChanges) continue;
    auto now = std::find_if(fresh.clusters.begin(), fresh.clusters.end(),
                            [&](const ClusterPlan& f) { return f.cluster == cp.cluster; });
    if (now == fresh.clusters.end()) continue;  // SelectSaved checked it is in the fleet
    if (now->status == ClusterStatus::kUnobservable) {
      cp.status = ClusterStatus::kUnobservable;
      cp.unobservable = now->unobservable;
      continue;
    }
    for (std::string& c : Changes(cp.cluster, cp.depends_on, now->depends_on))
      changes.push_back(std::move(c));
  }
  for (const std::string& c : changes) io.err << "harc: stale: " << c << "\n";
  if (!changes.empty())
    PrintError(io, "the live state changed since the plan was made (" +
                       Count(changes.size(), "fact") + "); nothing was applied. Plan again.");
  return changes.empty();
}

// ------------------------------------------------------------- confirmation

size_t StepsToApply(const Plan& plan, size_t* clusters) {
  size_t steps = 0;
  *clusters = 0;
  for (const ClusterPlan& cp : plan.clusters) {
    if (cp.status != ClusterStatus::kChanges) continue;
    ++*clusters;
    steps += cp.steps.size();
  }
  return steps;
}

bool Confirm(const Options& o, const Plan& plan, Console& io) {
  if (o.auto_approve) return true;
  size_t clusters = 0;
  size_t steps = StepsToApply(plan, &clusters);
  if (!::isatty(STDIN_FILENO)) {
    PrintError(io, "not applying without confirmation: standard input is not a terminal "
                   "(review with 'harc plan', then pass --auto-approve or apply a saved plan)");
    return false;
  }
  io.out << "\nApply these " << Count(steps, "step") << " to " << Count(clusters, "cluster")
         << "? Only 'yes' is accepted: " << std::flush;
  std::string answer;
  if (std::getline(std::cin, answer) && answer == "yes") return true;
  PrintError(io, "apply cancelled: nothing was changed");
  return false;
}

// ------------------------------------------------------------- the run

ProgressStyle StyleFor(const Options& o, int* width) {
  *width = 0;
  if (o.json) return ProgressStyle::kJson;
  struct winsize ws {};
  if (!::isatty(STDOUT_FILENO)) return ProgressStyle::kPlain;
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0) *width = ws.ws_col;
  return ProgressStyle::kLive;
}

// The run, journaled (apply_run.h), with progress and a summary. A plan with
// nothing to apply makes no journal run.
ExitCode RunRollout(const Options& o, const Fleet& fleet, const Plan& plan, Transport& transport,
                    Clock& clock, Progress& progress, Console& io) {
  size_t clusters = 0;
  bool changes = StepsToApply(plan, &clusters) > 0;
  MemoryJournal nothing;  // touched by no cluster: every one is settled
  std::unique_ptr<Journal> journal = changes ? OpenJournal(o, false, io) : nullptr;
  if (changes && !journal) return ExitCode::kError;
  RolloutResult result;
  int64_t run_id = 0;
  if (!RunJournaled(o, fleet, plan, transport, journal ? *journal : nothing, clock, &progress, io,
                    &result, &run_id))
    return ExitCode::kError;
  ExitCode code = RolloutExitCode(result);
  progress.Summary(result, code);
  return code;
}

// The plan to apply: the saved one, still fresh, or one compiled now.
// nullopt (after printing why) with *code set.
std::optional<Plan> PlanToApply(const Options& o, const Fleet& fleet, Transport& transport,
                                Console& io, ExitCode* code) {
  *code = ExitCode::kError;
  std::optional<Plan> plan;
  std::vector<std::string> names = o.clusters;
  if (!o.plan_file.empty()) {
    plan = ReadSavedPlan(o.plan_file, io);
    if (!plan || !SelectSaved(o, fleet, &*plan, io)) return std::nullopt;
    names.clear();
    for (const ClusterPlan& cp : plan->clusters) names.push_back(cp.cluster);
    if (names.empty()) return plan;  // an empty plan: nothing to gather
  }
  std::unique_ptr<Journal> journal;
  std::vector<HeldSetting> held;
  if (!OpenJournalIfAny(o, &journal, io) || !ReadHeldSettings(journal.get(), &held, io))
    return std::nullopt;
  ObservedFleet live = GatherLive(o, fleet, names, transport, io);
  if (journal) {
    SystemClock clock;
    AwaitInterruptedSteps(fleet, *journal, clock, [&](const std::string& cluster) {
      return Gather(fleet, {cluster}, transport, GatherOptionsFor(o, fleet)).clusters[cluster];
    }, &live, io);
  }
  Fleet desired = fleet;  // with the settings a killed run held (held_settings.h)
  DesireHeldSettings(held, live, &desired);
  if (!plan) {
    plan = Compile(desired, live, CompileOptions{o.clusters});
    if (plan->commit.empty()) plan->commit = fleet.commit;
  } else if (!CheckFresh(desired, live, &*plan, io)) {
    *code = ExitCode::kStale;
    return std::nullopt;
  }
  return plan;
}

}  // namespace

ExitCode RunApply(const Options& o, Console& io) {
  if (!o.observed.empty())
    return PrintError(io, "apply acts on the live state and gathers it over SSH; --observed is "
                          "for 'harc plan'");
  std::optional<Fleet> fleet = LoadSelectedFleet(o, io);
  if (!fleet) return ExitCode::kError;
  std::unique_ptr<Transport> transport = MakeSshTransport(o, *fleet, io);
  if (!transport) return ExitCode::kError;
  ExitCode code;
  std::optional<Plan> plan = PlanToApply(o, *fleet, *transport, io, &code);
  if (!plan) return code;

  SystemClock clock;
  int width = 0;
  Progress progress(io.out, StyleFor(o, &width), clock, width);
  if (o.json) progress.PlanJson(PlanToJson(*plan));
  else io.out << RenderPlanText(*plan) << std::flush;
  size_t clusters = 0;
  if (o.plan_file.empty() && StepsToApply(*plan, &clusters) > 0 && !Confirm(o, *plan, io))
    return ExitCode::kError;
  return RunRollout(o, *fleet, *plan, *transport, clock, progress, io);
}

}  // namespace harc
