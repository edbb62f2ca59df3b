// Rollout across a simulated fleet: waves, parallelism, the failure budget,
// leases, and clusters that are not applied.
#include "reconciler/rollout.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "reconciler/fake_world.h"

namespace harc {
namespace {

using testing::FakeWorld;
using testing::MakePlan;
using testing::MakeStep;

// Records what the rollout reported, in order. Thread-safe.
class Recorder : public ApplyObserver {
 public:
  void ClusterStarted(const ClusterPlan& plan) override { Add("start " + plan.cluster); }
  void ClusterNote(const std::string& cluster, const std::string& note) override {
    Add("note " + cluster + ": " + note);
  }
  void ClusterEnded(const ClusterResult& r) override {
    Add("end " + r.cluster + " " + OutcomeName(r.outcome));
  }
  std::vector<std::string> events() const {
    std::lock_guard lock(mu_);
    return events_;
  }

 private:
  void Add(const std::string& e) {
    std::lock_guard lock(mu_);
    events_.push_back(e);
  }
  mutable std::mutex mu_;
  std::vector<std::string> events_;
};

class RolloutTest : public ::testing::Test {
 protected:
  RolloutTest() {
    fleet_.platforms["p"] = testing::WorldPlatform();
    options_.owner = "me@here pid 1 run 1";
    options_.max_parallel_clusters = 4;
    options_.max_failed_clusters = 1;
    options_.apply.observer = &recorder_;
    RunInfo run;
    w_.journal.BeginRun(&run);
    options_.apply.run_id = run.id;
  }

  // A cluster of one member whose one step, "drain", takes effect at once
  // (or runs `effect` instead).
  void AddCluster(const std::string& name, const std::string& wave,
                  FakeWorld::Effect effect = nullptr) {
    fleet_.clusters.push_back(testing::WorldCluster(name, {"m1"}, wave));
    w_.Set(name + "/m1", "role", "active");
    std::string command = "drain " + name;
    w_.OnCommand(command, effect ? effect : [this](const std::string& m) {
      w_.Set(m, "role", "down");
      return FakeWorld::Reply{};
    });
    plan_.clusters.push_back(MakePlan(
        name,
        {MakeStep(Action::kDrain, "m1", command, Condition{"role", "down", ""}),
         MakeStep(Action::kUndrain, "m1", "undrain " + name, std::nullopt)},
        wave));
  }

  RolloutResult Run() { return Rollout(plan_, fleet_, w_.transport, w_.journal, w_.clock, options_); }

  FakeWorld w_;
  Fleet fleet_;
  Plan plan_;
  Recorder recorder_;
  RolloutOptions options_;
};

TEST_F(RolloutTest, ConvergesEveryClusterAndReleasesItsLease) {
  AddCluster("a", "default");
  AddCluster("b", "default");
  RolloutResult r = Run();
  EXPECT_EQ(r.Count(Outcome::kConverged), 2);
  EXPECT_EQ(RolloutExitCode(r), ExitCode::kOk);
  EXPECT_EQ(RunResultName(r), "converged");
  EXPECT_FALSE(w_.journal.LeaseOf("a"));
  EXPECT_FALSE(w_.journal.LeaseOf("b"));
}

TEST_F(RolloutTest, WavesRunInHarcTomlOrderOneAfterAnother) {
  options_.waves = {"canary", "default"};
  AddCluster("a", "default");
  AddCluster("b", "canary");
  AddCluster("c", "late");  // not listed: after the listed waves
  RolloutResult r = Run();
  EXPECT_EQ(r.Count(Outcome::kConverged), 3);
  EXPECT_EQ(recorder_.events(),
            (std::vector<std::string>{"start b", "end b converged", "start a", "end a converged",
                                      "start c", "end c converged"}));
  EXPECT_EQ(r.clusters[0].cluster, "a");  // results stay in plan order
}

TEST_F(RolloutTest, AtMostMaxParallelClustersAtOnce) {
  std::atomic<int> running{0}, most{0};
  auto slow = [&](const std::string& m) {
    int now = ++running;
    for (int seen = most.load(); now > seen && !most.compare_exchange_weak(seen, now);) {}
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    --running;
    w_.Set(m, "role", "down");
    return FakeWorld::Reply{};
  };
  for (const char* c : {"a", "b", "c", "d", "e"}) AddCluster(c, "default", slow);
  options_.max_parallel_clusters = 2;
  RolloutResult r = Run();
  EXPECT_EQ(r.Count(Outcome::kConverged), 5);
  EXPECT_EQ(most.load(), 2);
}

TEST_F(RolloutTest, SpentBudgetStartsNoNewCluster) {
  options_.max_parallel_clusters = 1;
  auto fails = [](const std::string&) { return FakeWorld::Reply{{1, "", "no\n", false}, {}}; };
  AddCluster("a", "default", fails);
  AddCluster("b", "default");
  AddCluster("c", "later");
  options_.waves = {"default", "later"};
  RolloutResult r = Run();
  EXPECT_EQ(r.clusters[0].outcome, Outcome::kHeld);
  EXPECT_EQ(r.clusters[1].outcome, Outcome::kNotStarted);
  EXPECT_EQ(r.clusters[1].reason, "failure budget spent");
  EXPECT_EQ(r.clusters[2].outcome, Outcome::kNotStarted);
  EXPECT_EQ(w_.mutations(), std::vector<std::string>{"a/m1: drain a"});
  EXPECT_EQ(RolloutExitCode(r), ExitCode::kHeld);
}

TEST_F(RolloutTest, RunningClustersFinishTheirStepThenHoldWhenTheBudgetIsSpent) {
  std::atomic<bool> a_held{false};
  class Watch : public Recorder {
   public:
    explicit Watch(std::atomic<bool>* held) : held_(held) {}
    void ClusterEnded(const ClusterResult& r) override {
      if (r.cluster == "a") held_->store(true);
    }
    std::atomic<bool>* held_;
  } watch(&a_held);
  options_.apply.observer = &watch;
  std::atomic<bool> b_running{false};
  AddCluster("a", "default", [&](const std::string&) {
    while (!b_running.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return FakeWorld::Reply{{1, "", "", false}, {}};
  });
  AddCluster("b", "default", [&](const std::string& m) {
    b_running.store(true);
    while (!a_held.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    w_.Set(m, "role", "down");
    return FakeWorld::Reply{};
  });
  RolloutResult r = Run();
  EXPECT_EQ(r.clusters[0].outcome, Outcome::kHeld);
  ASSERT_EQ(r.clusters[1].outcome, Outcome::kHeld);
  EXPECT_EQ(r.clusters[1].held_at, 2);
  EXPECT_EQ(r.clusters[1].reason, "step 2 (undrain m1) not started: failure budget spent");
  EXPECT_EQ(w_.Get("b/m1", "role"), "down");  // its first step completed
}

TEST_F(RolloutTest, ClusterLeasedByAnotherRunIsLockedNamingTheHolder) {
  AddCluster("a", "default");
  AddCluster("b", "default");
  bool taken = false;
  Lease theirs, holder;
  w_.journal.AcquireLease("a", "alice@ctl pid 7 run 3", w_.clock.WallMs(), 60'000, &taken, &theirs,
                          &holder);
  RolloutResult r = Run();
  EXPECT_EQ(r.clusters[0].outcome, Outcome::kLocked);
  EXPECT_EQ(r.clusters[0].reason, "alice@ctl pid 7 run 3 (token 1, expires in 60s)");
  EXPECT_EQ(r.clusters[1].outcome, Outcome::kConverged);
  EXPECT_EQ(RolloutExitCode(r), ExitCode::kLocked);
  EXPECT_EQ(w_.journal.LeaseOf("a")->owner, "alice@ctl pid 7 run 3");  // untouched
  EXPECT_EQ(w_.mutations(), (std::vector<std::string>{"b/m1: drain b", "b/m1: undrain b"}));
}

TEST_F(RolloutTest, ExpiredLeaseIsTakenOver) {
  AddCluster("a", "default");
  bool taken = false;
  Lease theirs, holder;
  w_.journal.AcquireLease("a", "dead", w_.clock.WallMs() - 120'000, 60'000, &taken, &theirs, &holder);
  RolloutResult r = Run();
  EXPECT_EQ(r.clusters[0].outcome, Outcome::kConverged) << r.clusters[0].reason;
  EXPECT_EQ(recorder_.events()[0], "note a: took over the lease of dead (token 1): it had expired");
}

// A run of this host killed (SIGKILL) left its lease: its process is gone,
// so the lease is taken over at once, not after it expires.
TEST_F(RolloutTest, LeaseOfAProcessOfThisHostThatIsGoneIsTakenOverAtOnce) {
  AddCluster("a", "default");
  pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  ::waitpid(pid, nullptr, 0);
  std::string killed = "me@here pid " + std::to_string(pid) + " run 0";
  bool taken = false;
  Lease theirs, holder;
  w_.journal.AcquireLease("a", killed, w_.clock.WallMs(), 120'000, &taken, &theirs, &holder);
  RolloutResult r = Run();
  EXPECT_EQ(r.clusters[0].outcome, Outcome::kConverged) << r.clusters[0].reason;
  EXPECT_EQ(recorder_.events()[0], "note a: took over the lease of " + killed +
                                       " (token 1): that process is no longer running");
}

TEST_F(RolloutTest, LeaseOfALiveProcessOfThisHostIsLocked) {
  AddCluster("a", "default");
  std::string alive = "me@here pid " + std::to_string(::getpid()) + " run 0";
  bool taken = false;
  Lease theirs, holder;
  w_.journal.AcquireLease("a", alive, w_.clock.WallMs(), 120'000, &taken, &theirs, &holder);
  RolloutResult r = Run();
  EXPECT_EQ(r.clusters[0].outcome, Outcome::kLocked);
  EXPECT_EQ(w_.journal.LeaseOf("a")->owner, alive);
  EXPECT_TRUE(w_.mutations().empty());
}

TEST_F(RolloutTest, UnsafeAndUnobservableClustersAreNotAppliedNorSpendTheBudget) {
  AddCluster("a", "default");
  AddCluster("b", "default");
  AddCluster("c", "default");
  plan_.clusters[0].status = ClusterStatus::kUnobservable;
  plan_.clusters[0].unobservable = {"m1: unreachable: refused"};
  plan_.clusters[1].status = ClusterStatus::kUnsafe;
  plan_.clusters[1].refusal = Refusal{"b", 1, "min-serving", "0 members would serve; needs 1"};
  options_.max_parallel_clusters = 1;
  RolloutResult r = Run();
  EXPECT_EQ(r.clusters[0].outcome, Outcome::kUnobservable);
  EXPECT_EQ(r.clusters[0].reason, "m1: unreachable: refused");
  EXPECT_EQ(r.clusters[1].outcome, Outcome::kUnsafe);
  EXPECT_EQ(r.clusters[2].outcome, Outcome::kConverged);
  EXPECT_EQ(RolloutExitCode(r), ExitCode::kUnsafe);
  EXPECT_EQ(w_.mutations(), (std::vector<std::string>{"c/m1: drain c", "c/m1: undrain c"}));
}

TEST_F(RolloutTest, InSyncClusterIsConvergedWithoutContact) {
  fleet_.clusters.push_back(testing::WorldCluster("a", {"m1"}));
  plan_.clusters.push_back(MakePlan("a", {}));
  RolloutResult r = Run();
  EXPECT_EQ(r.clusters[0].outcome, Outcome::kConverged);
  EXPECT_EQ(r.clusters[0].reason, "in sync");
  EXPECT_TRUE(w_.transport.calls().empty());
  EXPECT_FALSE(w_.journal.LeaseOf("a"));
}

TEST_F(RolloutTest, ReportsAndResumesWhatAnInterruptedRunWasDoing) {
  AddCluster("a", "default");
  // Run 1 (another process, killed) had sent "drain a"; it takes effect later.
  StepRecord was{0, "a", 1, "drain", "m1", StepState::kStarted, "drain a", -1, "", "",
                 w_.clock.WallMs() - 1'000, 0};
  RunInfo dead;
  dead.who = "bob@ctl";
  w_.journal.AddRun(dead, {was});
  w_.Set("a/m1", "role", "down", 5'000);
  RolloutResult r = Run();
  EXPECT_EQ(r.clusters[0].outcome, Outcome::kConverged) << r.clusters[0].reason;
  std::vector<std::string> events = recorder_.events();
  ASSERT_GE(events.size(), 2u);
  EXPECT_EQ(events[0], "note a: run 2 (bob@ctl) was interrupted at step 1 (drain m1): started");
  EXPECT_EQ(w_.mutations(), std::vector<std::string>{"a/m1: undrain a"});  // drain not resent
}

// The killed run had backed the cluster up before its first change: that
// backup stands; taking another of the half-changed cluster would overwrite it.
TEST_F(RolloutTest, TheBackupOfAnInterruptedRunIsKept) {
  AddCluster("a", "default");
  plan_.clusters[0].steps.insert(plan_.clusters[0].steps.begin(),
                                 MakeStep(Action::kBackup, "m1", "backup a", std::nullopt));
  int64_t t = w_.clock.WallMs() - 1'000;
  auto done = [&](int index, const std::string& action) {
    return StepRecord{0,  "a", index, action, "m1", StepState::kDone, action + " a",
                      0,  "",  "",    t,      t};
  };
  RunInfo dead;
  dead.who = "bob@ctl";
  w_.journal.AddRun(dead, {done(1, "backup"), done(2, "drain")});
  w_.Set("a/m1", "role", "down");
  RolloutResult r = Run();
  EXPECT_EQ(r.clusters[0].outcome, Outcome::kConverged) << r.clusters[0].reason;
  EXPECT_EQ(w_.mutations(), std::vector<std::string>{"a/m1: undrain a"});
  std::vector<StepRecord> steps;
  w_.journal.Steps(options_.apply.run_id, &steps);
  ASSERT_FALSE(steps.empty());
  EXPECT_EQ(steps[0].state, StepState::kSkipped);
  EXPECT_EQ(steps[0].reason, "kept the backup interrupted run 2 took before its first change");
}

TEST_F(RolloutTest, ABackupAnInterruptedRunOnlyStartedIsTakenAgain) {
  AddCluster("a", "default");
  plan_.clusters[0].steps.insert(plan_.clusters[0].steps.begin(),
                                 MakeStep(Action::kBackup, "m1", "backup a", std::nullopt));
  RunInfo dead;
  w_.journal.AddRun(dead, {{0, "a", 1, "backup", "m1", StepState::kStarted, "backup a", -1, "",
                            "", w_.clock.WallMs(), 0}});
  RolloutResult r = Run();
  EXPECT_EQ(r.clusters[0].outcome, Outcome::kConverged) << r.clusters[0].reason;
  EXPECT_EQ(w_.mutations(), (std::vector<std::string>{"a/m1: backup a", "a/m1: drain a",
                                                      "a/m1: undrain a"}));
}

TEST_F(RolloutTest, SignalStopsRunningClustersAfterTheirStepAndStartsNoOther) {
  StopSignal stop;
  options_.apply.stop = &stop;
  options_.max_parallel_clusters = 1;
  AddCluster("a", "default", [&](const std::string& m) {
    stop.RequestFromSignal(SIGINT);
    w_.Set(m, "role", "down");
    return FakeWorld::Reply{};
  });
  AddCluster("b", "default");
  RolloutResult r = Run();
  EXPECT_TRUE(r.interrupted);
  EXPECT_EQ(r.clusters[0].outcome, Outcome::kHeld);
  EXPECT_EQ(r.clusters[1].outcome, Outcome::kNotStarted);
  EXPECT_EQ(r.clusters[1].reason, "interrupted (SIGINT)");
  EXPECT_EQ(RolloutExitCode(r), ExitCode::kHeld);
  EXPECT_EQ(RunResultName(r), "interrupted");
  EXPECT_FALSE(w_.journal.LeaseOf("a"));
}

TEST_F(RolloutTest, LeasesAreRenewedWhileALongCommandRuns) {
  options_.apply.lease_ttl_ms = 60'000;
  options_.renew_every_ms = 5;  // real time
  std::vector<int64_t> expiries;
  AddCluster("a", "default", [&](const std::string& m) {
    // The command runs for "10 minutes": the renewer keeps the lease alive.
    for (int i = 0; i < 10; ++i) {
      w_.clock.Advance(60'000);
      int64_t before = w_.journal.LeaseOf("a")->heartbeat_ms;
      for (int ms = 0; w_.journal.LeaseOf("a")->heartbeat_ms == before; ++ms) {
        if (ms > 5'000) return FakeWorld::Reply{{1, "", "lease not renewed\n", false}, {}};
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    }
    w_.Set(m, "role", "down");
    return FakeWorld::Reply{};
  });
  RolloutResult r = Run();
  EXPECT_EQ(r.clusters[0].outcome, Outcome::kConverged) << r.clusters[0].reason;
}

TEST(RolloutExitCodeTest, HeldBeatsLockedBeatsUnsafeBeatsUnobservable) {
  auto code = [](std::vector<Outcome> outcomes) {
    RolloutResult r;
    for (Outcome o : outcomes) r.clusters.push_back(ClusterResult{"x", "w", o, "", 0, 0, 0, 0});
    return RolloutExitCode(r);
  };
  EXPECT_EQ(code({Outcome::kConverged}), ExitCode::kOk);
  EXPECT_EQ(code({Outcome::kUnobservable, Outcome::kHeld, Outcome::kLocked}), ExitCode::kHeld);
  EXPECT_EQ(code({Outcome::kUnobservable, Outcome::kUnsafe, Outcome::kLocked}), ExitCode::kLocked);
  EXPECT_EQ(code({Outcome::kUnobservable, Outcome::kUnsafe}), ExitCode::kUnsafe);
  EXPECT_EQ(code({Outcome::kConverged, Outcome::kUnobservable}), ExitCode::kUnreachable);
}

}  // namespace
}  // namespace harc
