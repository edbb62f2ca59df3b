// Progress: what `harc apply` shows while it works, in one of three styles.
//
// - kLive (standard output is a terminal): a block of live lines at the
//   bottom, one per running cluster (wave, step k/n, action, member, what it
//   is doing, elapsed), redrawn on every event and every second; lasting
//   news (a failed step, a cluster's end, a note) is printed above the block.
// - kPlain (a pipe, a file, a CI log): one line per event, each with a UTC
//   timestamp: "2026-09-20T12:00:03Z fw-east: step 3/6 drain m2: done in 8s".
// - kJson (--json): one JSON object per line, each with "event" and "time".
//
// Thread-safe: clusters report from several threads.
#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "reconciler/apply.h"
#include "reconciler/clock.h"
#include "reconciler/exit_codes.h"
#include "reconciler/rollout.h"

namespace harc {

enum class ProgressStyle { kLive, kPlain, kJson };

class Progress : public ApplyObserver {
 public:
  // width: the terminal's columns (kLive lines are cut to fit; 0: no cut).
  Progress(std::ostream& out, ProgressStyle style, Clock& clock, int width = 0);
  ~Progress() override;
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void ClusterStarted(const ClusterPlan& plan) override;
  void OnStep(const StepEvent& e) override;
  void ClusterNote(const std::string& cluster, const std::string& note) override;
  void ClusterEnded(const ClusterResult& r) override;

  // A line of its own ({"event":"message","text":...} in JSON).
  void Message(const std::string& text);
  // The plan about to be applied, as harc.plan/v1 JSON (JSON style only).
  void PlanJson(const std::string& plan_json);
  // The summary of every cluster, then the exit code (JSON: one event).
  void Summary(const RolloutResult& r, ExitCode code);

 private:
  struct Live {
    std::string wave;
    int index = 0;
    int count = 0;
    std::string what;   // "drain m2"
    std::string doing;  // "running", "waiting for role = down", "done in 8s"
    int64_t since_ms = 0;
    bool ticking = true;  // still going: the line shows the time since since_ms
  };

  // REQUIRES: mu_ held. Prints `line` (lasting), keeping the live block below.
  void Emit(const std::string& line);
  void EmitJson(const std::string& json);
  void EraseLive();
  void DrawLive();
  void Ticker();
  std::string Stamp() const;

  std::ostream& out_;
  const ProgressStyle style_;
  Clock& clock_;
  const int width_;
  std::mutex mu_;
  std::map<std::string, Live> live_;      // running clusters, by name
  std::map<std::string, int64_t> step_started_;  // cluster -> monotonic ms of its running step
  int drawn_ = 0;  // live lines on screen
  bool done_ = false;
  std::condition_variable cv_;
  std::thread ticker_;
};

// The per-cluster summary as text:
//   Summary: 2 converged, 1 held, 1 locked, 1 skipped.
//     fw-east  converged  6 steps: 5 run, 1 skipped
//     fw-west  held       step 4 (install hotfix R81.20_T89 on m2): timed out ...
//     lb-edge  locked     by alice@ctl pid 7 run 3 (token 4, expires in 60s)
//     sg-1     skipped    unobservable: n1: unreachable: ...
std::string RenderSummary(const RolloutResult& r);

// "8s", "3m04s", "1h02m".
std::string FormatElapsed(int64_t ms);

}  // namespace harc
