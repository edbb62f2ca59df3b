// harc apply [plan.json]: carry a plan out on the live fleet (DESIGN.md §5–6).
//
// Without a plan file: gather, compile, print the plan, ask (on a terminal)
// for confirmation, apply. With one: re-gather, refuse the whole plan (exit
// 6) when any fact a cluster's plan rests on changed, else apply exactly its
// steps. Then, as one journaled run: the rollout (rollout.h), progress as it
// goes (progress.h), a summary per cluster, and the exit code.
//
// SIGINT/SIGTERM during the rollout: the command being sent is never cut off;
// each running cluster finishes the step it is on and holds, leases are
// released, the run is journaled "interrupted" and harc exits 4. A second
// signal also stops waiting for the current step's condition.
#include <pwd.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "compiler/compile.h"
#include "compiler/plan_json.h"
#include "compiler/plan_text.h"
#include "reconciler/command.h"
#include "reconciler/gather.h"
#include "reconciler/memory_journal.h"
#include "reconciler/progress.h"
#include "reconciler/rollout.h"
#include "reconciler/ssh_transport.h"

namespace harc {
namespace {

using Facts = std::map<std::string, std::map<std::string, std::string>>;

// ------------------------------------------------------------- signals

std::atomic<StopSignal*> g_stop{nullptr};

extern "C" void OnStopSignal(int signo) {
  StopSignal* stop = g_stop.load();
  if (!stop) return;
  bool first = !stop->interrupted();
  stop->RequestFromSignal(signo);
  const char* msg = first ? "harc: stopping: each running cluster finishes its current step and "
                            "holds (signal again to stop waiting)\n"
                          : "harc: stopping now: no more waiting\n";
  ssize_t n = ::write(STDERR_FILENO, msg, std::strlen(msg));
  (void)n;
}

// Routes SIGINT and SIGTERM to `stop` while it lives.
class SignalScope {
 public:
  explicit SignalScope(StopSignal* stop) {
    g_stop.store(stop);
    struct sigaction sa {};
    sa.sa_handler = OnStopSignal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int_);
    sigaction(SIGTERM, &sa, &old_term_);
  }
  ~SignalScope() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
    g_stop.store(nullptr);
  }
  SignalScope(const SignalScope&) = delete;
  SignalScope& operator=(const SignalScope&) = delete;

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

// ------------------------------------------------------------- inputs

// harc.toml paths are relative to the fleet repository (as observe.cc does).
std::string FromRepo(const std::string& repo, const std::string& path) {
  if (path.empty() || path[0] == '/' || path[0] == '~') return path;
  return (std::filesystem::path(repo) / path).lexically_normal().string();
}

std::unique_ptr<Transport> MakeSshTransport(const Options& o, const Fleet& fleet, Console& io) {
  SshConfig ssh = fleet.config.ssh;
  ssh.identity = FromRepo(o.repo, ssh.identity);
  ssh.known_hosts = FromRepo(o.repo, ssh.known_hosts);
  SshTransportOptions options = SshOptionsFor(ssh);
  options.ssh_config = o.ssh_config == "none" ? "" : o.ssh_config;
  std::string error;
  std::unique_ptr<SshTransport> transport = SshTransport::Create(options, &error);
  if (!transport) PrintError(io, error);
  return transport;
}

ObservedFleet GatherLive(const Options& o, const Fleet& fleet,
                         const std::vector<std::string>& clusters, Transport& transport,
                         Console& io) {
  GatherOptions g;
  g.parallel = o.parallel;
  g.accept_new_host_keys = o.accept_new_host_keys;
  g.connect_timeout_ms = fleet.config.ssh.connect_timeout_ms;
  ObservedFleet observed = Gather(fleet, clusters, transport, g);
  for (const auto& [name, cluster] : observed.clusters)
    for (const ObservedMember& m : cluster.members)
      if (!m.reachable)
        io.err << "harc: warning: " << name << "/" << m.name << " (" << m.host
               << ") was not observed: " << m.error << "\n";
  return observed;
}

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

std::string Who() {
  const char* user = std::getenv("USER");
  struct passwd* pw = ::getpwuid(::getuid());
  std::string name = pw ? pw->pw_name : (user ? user : "unknown");
  char host[256] = "";
  ::gethostname(host, sizeof host - 1);
  return name + "@" + host;
}

ProgressStyle StyleFor(const Options& o, int* width) {
  *width = 0;
  if (o.json) return ProgressStyle::kJson;
  struct winsize ws {};
  if (!::isatty(STDOUT_FILENO)) return ProgressStyle::kPlain;
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0) *width = ws.ws_col;
  return ProgressStyle::kLive;
}

RolloutOptions RolloutOptionsFor(const Options& o, const Fleet& fleet, const RunInfo& run) {
  RolloutOptions r;
  r.waves = fleet.config.rollout.waves;
  r.max_parallel_clusters = fleet.config.rollout.max_parallel_clusters;
  r.max_failed_clusters = fleet.config.rollout.max_failed_clusters;
  r.owner = run.who + " pid " + std::to_string(run.pid) + " run " + std::to_string(run.id);
  r.apply.run_id = run.id;
  r.apply.probe.connect_timeout_ms = fleet.config.ssh.connect_timeout_ms;
  r.apply.probe.accept_new_host_keys = o.accept_new_host_keys;
  return r;
}

// The run: journaled, under signal handling, with progress and a summary.
// A plan with nothing to apply makes no journal run.
ExitCode RunRollout(const Options& o, const Fleet& fleet, const Plan& plan, Transport& transport,
                    Clock& clock, Progress& progress, Console& io) {
  size_t clusters = 0;
  bool changes = StepsToApply(plan, &clusters) > 0;
  MemoryJournal nothing;  // touched by no cluster: every one is settled
  std::unique_ptr<Journal> journal = changes ? OpenJournal(o, false, io) : nullptr;
  if (changes && !journal) return ExitCode::kError;
  RunInfo run{0, plan.commit, PlanHash(plan), Who(), ::getpid(), clock.WallMs(), 0, ""};
  if (journal) {
    JournalStatus st = journal->BeginRun(&run);
    if (!st.ok) return PrintError(io, st.message);
  }
  StopSignal stop;
  RolloutOptions options = RolloutOptionsFor(o, fleet, run);
  options.apply.stop = &stop;
  options.apply.observer = &progress;
  RolloutResult result;
  {
    SignalScope signals(&stop);
    result = Rollout(plan, fleet, transport, journal ? *journal : nothing, clock, options);
  }
  ExitCode code = RolloutExitCode(result);
  if (journal) {
    JournalStatus st = journal->EndRun(run.id, RunResultName(result), clock.WallMs());
    if (!st.ok) io.err << "harc: warning: " << st.message << "\n";
  }
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
  ObservedFleet live = GatherLive(o, fleet, names, transport, io);
  if (!plan) {
    plan = Compile(fleet, live, CompileOptions{o.clusters});
    if (plan->commit.empty()) plan->commit = fleet.commit;
  } else if (!CheckFresh(fleet, live, &*plan, io)) {
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
