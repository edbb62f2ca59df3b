// harc watch and harc reconcile --once: the command line around Watcher
// (watch.h) — the clone, the journal, the schedule, signals between cycles,
// and the metrics file.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <ostream>

#include "reconciler/atomic_file.h"
#include "reconciler/command.h"
#include "reconciler/metrics.h"
#include "reconciler/status.h"
#include "reconciler/time_text.h"
#include "reconciler/watch.h"

namespace harc {
namespace {

// ------------------------------------------------------------- signals

std::atomic<bool> g_stop{false};
std::atomic<int> g_wake_fd{-1};

extern "C" void OnWatchSignal(int /*signo*/) {
  g_stop.store(true);
  int fd = g_wake_fd.load();
  if (fd >= 0) {
    ssize_t n = ::write(fd, "x", 1);
    (void)n;
  }
}

// SIGINT and SIGTERM while harc watch waits between cycles or gathers: they
// set the stop flag and cut a wait short (a pipe the handler writes to, so
// a signal that comes just before the wait is not lost). During a rollout
// the rollout's own handling takes over (apply_run.h).
class StopSignals {
 public:
  StopSignals() {
    g_stop.store(false);
    if (::pipe2(fds_, O_CLOEXEC | O_NONBLOCK) == 0) g_wake_fd.store(fds_[1]);
    struct sigaction sa {};
    sa.sa_handler = OnWatchSignal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int_);
    sigaction(SIGTERM, &sa, &old_term_);
  }
  ~StopSignals() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
    g_wake_fd.store(-1);
    for (int fd : fds_)
      if (fd >= 0) ::close(fd);
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // Waits up to ms, or until a signal (one before the call included).
  void Wait(int64_t ms) {
    pollfd p{fds_[0], POLLIN, 0};
    if (!g_stop.load()) ::poll(&p, 1, static_cast<int>(std::clamp<int64_t>(ms, 0, 1 << 30)));
  }

 private:
  int fds_[2] = {-1, -1};
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

// ------------------------------------------------------------- setup

bool ParsePositiveDuration(const std::string& flag, const std::string& text, int64_t* ms,
                           Console& io) {
  if (ParseDuration(text, ms)) return true;
  PrintError(io, "invalid duration '" + text + "' for " + flag + " (a whole number and ms, s, m, "
                 "h, d or w: \"60s\")");
  return false;
}

std::string CacheDir(const Options& o) {
  if (!o.cache.empty()) return o.cache;
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  return xdg && *xdg == '/' ? std::string(xdg) + "/harc" : "~/.cache/harc";
}

// Everything a cycle needs: the clone, the journal, the settings.
struct Setup {
  WatchSettings settings;
  std::unique_ptr<GitMirror> mirror;
  std::unique_ptr<Journal> journal;
};

bool Prepare(const Options& o, Setup* s, Console& io) {
  s->settings.branch = o.branch.empty() ? "main" : o.branch;
  s->settings.signatures = {o.allowed_signers, o.gpg_keyring};
  if (!o.observed.empty()) {
    PrintError(io, "harc watch acts on the live state and gathers it over SSH; --observed is "
                   "for 'harc plan'");
    return false;
  }
  if (o.journal.empty() && !IsLocalPath(o.repo)) {
    PrintError(io, "--journal is required when --repo is a URL (the journal is state to keep; "
                   "it is .harc/journal.db only under a local repository)");
    return false;
  }
  std::string error;
  GitRemote remote{o.repo, o.git_identity, o.git_known_hosts};
  if (!GitMirror::Open(remote, CacheDir(o), &s->mirror, &error)) {
    PrintError(io, error);
    return false;
  }
  s->journal = OpenJournal(o, false, io);
  return s->journal != nullptr;
}

// The newest commits read for the metrics: enough to find the last one
// reconciled behind any run of pending ones.
constexpr int kMetricsCommits = 100;

// Rewrites the --metrics file from the journal; a failure is only reported.
void WriteMetrics(const Options& o, const Setup& s, Clock& clock, Console& io) {
  if (o.metrics.empty()) return;
  WatchStatus status;
  JournalStatus st = ReadWatchStatus(*s.journal, s.settings.branch, kMetricsCommits, &status);
  std::string error;
  if (!st.ok)
    io.err << "harc: warning: metrics not written: " << st.message << "\n";
  else if (!WriteFileAtomically(o.metrics, RenderMetrics(status, clock.WallMs()), &error))
    io.err << "harc: warning: metrics not written: " << error << "\n";
}

void Log(Clock& clock, Console& io, const std::string& line) {
  io.out << FormatTime(clock.WallMs()) << " " << line << "\n" << std::flush;
}

}  // namespace

ExitCode RunWatch(const Options& o, Console& io) {
  int64_t interval = 0, drift_every = 0;
  if (!ParsePositiveDuration("--interval", o.interval, &interval, io) ||
      (!o.drift_every.empty() &&
       !ParsePositiveDuration("--drift-every", o.drift_every, &drift_every, io)))
    return ExitCode::kError;
  Setup s;
  if (!Prepare(o, &s, io)) return ExitCode::kError;
  SystemClock clock;
  StopSignals signals;
  Watcher watcher(o, s.settings, *s.mirror, *s.journal, clock, io, g_stop);
  Log(clock, io, "watching " + s.settings.branch + " of " + o.repo + " every " +
                     FormatDuration(interval) +
                     (drift_every ? ", drift check every " + FormatDuration(drift_every) : ""));
  int64_t next_drift = clock.MonotonicMs() + drift_every;
  while (!watcher.stopping()) {
    int64_t start = clock.MonotonicMs();
    watcher.Cycle();
    if (drift_every && !watcher.stopping() && clock.MonotonicMs() >= next_drift) {
      watcher.DriftCheck();
      next_drift = clock.MonotonicMs() + drift_every;
    }
    WriteMetrics(o, s, clock, io);
    signals.Wait(start + interval - clock.MonotonicMs());
  }
  Log(clock, io, "stopped");
  return ExitCode::kOk;
}

ExitCode RunReconcile(const Options& o, Console& io) {
  if (!o.once)
    return PrintError(io, "reconcile does one fetch/plan/apply cycle: pass --once (for a loop, "
                          "use 'harc watch')");
  Setup s;
  if (!Prepare(o, &s, io)) return ExitCode::kError;
  SystemClock clock;
  StopSignals signals;
  Watcher watcher(o, s.settings, *s.mirror, *s.journal, clock, io, g_stop);
  ExitCode code = watcher.Cycle();
  WriteMetrics(o, s, clock, io);
  return code;
}

}  // namespace harc
