#include "reconciler/apply_run.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <ostream>

#include "compiler/plan_json.h"
#include "reconciler/gather.h"
#include "reconciler/lease_owner.h"
#include "reconciler/ssh_transport.h"

namespace harc {
namespace {

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

RolloutOptions RolloutOptionsFor(const Options& o, const Fleet& fleet, const RunInfo& run) {
  RolloutOptions r;
  r.waves = fleet.config.rollout.waves;
  r.max_parallel_clusters = fleet.config.rollout.max_parallel_clusters;
  r.max_failed_clusters = fleet.config.rollout.max_failed_clusters;
  r.owner = FormatOwner(ThisProcess(run.who, run.id));
  r.apply.run_id = run.id;
  r.apply.probe.connect_timeout_ms = fleet.config.ssh.connect_timeout_ms;
  r.apply.probe.command_timeout_ms = fleet.config.ssh.command_timeout_ms;
  r.apply.probe.accept_new_host_keys = o.accept_new_host_keys;
  return r;
}

}  // namespace

bool RunJournaled(const Options& o, const Fleet& fleet, const Plan& plan, Transport& transport,
                  Journal& journal, Clock& clock, ApplyObserver* observer, Console& io,
                  RolloutResult* result, int64_t* run_id) {
  RunInfo run{0, plan.commit, PlanHash(plan), Who(), ::getpid(), clock.WallMs(), 0, ""};
  JournalStatus st = journal.BeginRun(&run);
  if (!st.ok) {
    PrintError(io, st.message);
    return false;
  }
  *run_id = run.id;
  StopSignal stop;
  RolloutOptions options = RolloutOptionsFor(o, fleet, run);
  options.apply.stop = &stop;
  options.apply.observer = observer;
  {
    SignalScope signals(&stop);
    *result = Rollout(plan, fleet, transport, journal, clock, options);
  }
  st = journal.EndRun(run.id, RunResultName(*result), clock.WallMs());
  if (!st.ok) io.err << "harc: warning: " << st.message << "\n";
  return true;
}

}  // namespace harc
