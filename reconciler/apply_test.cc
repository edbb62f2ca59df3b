// ApplyCluster on a simulated cluster: FakeTransport answering the real fact
// script, FakeClock for waits, MemoryJournal recording every step.
#include "reconciler/apply.h"

#include <gtest/gtest.h>

#include "reconciler/fake_world.h"

namespace harc {
namespace {

using testing::FakeWorld;
using testing::MakePlan;
using testing::MakeStep;

class ApplyTest : public ::testing::Test {
 protected:
  ApplyTest() : cluster_(testing::WorldCluster("c", {"m1", "m2"})), platform_(testing::WorldPlatform()) {
    for (const char* m : {"c/m1", "c/m2"}) {
      w_.Set(m, "in_cluster", "true");
      w_.Set(m, "version.os", "1");
      w_.Set(m, "sync", "true");
    }
    w_.Set("c/m1", "role", "active");
    w_.Set("c/m2", "role", "standby");
    bool taken = false;
    Lease holder;
    w_.journal.AcquireLease("c", "me", w_.clock.WallMs(), 120'000, &taken, &lease_, &holder);
    RunInfo run;
    w_.journal.BeginRun(&run);
    options_.run_id = run.id;
  }

  // The upgrade of standby m2: drain, install, undrain.
  static std::vector<Step> UpgradeM2() {
    return {MakeStep(Action::kDrain, "m2", "drain m2", Condition{"role", "down", ""},
                     {{"in_cluster", "true", ""}}),
            MakeStep(Action::kInstall, "m2", "install os 2", Condition{"version.os", "2", ""},
                     {{"role", "down", ""}}),
            MakeStep(Action::kUndrain, "m2", "undrain m2",
                     Condition{"role", "active|standby", ""}, {{"role", "down", ""}}, 60'000,
                     1'000, 5'000)};
  }

  // Commands that do what they say at once.
  void Obedient() {
    w_.OnCommand("drain m2", [this](const std::string& m) {
      w_.Set(m, "role", "down");
      return FakeWorld::Reply{};
    });
    w_.OnCommand("install os 2", [this](const std::string& m) {
      w_.Set(m, "version.os", "2");
      return FakeWorld::Reply{};
    });
    w_.OnCommand("undrain m2", [this](const std::string& m) {
      w_.Set(m, "role", "standby");
      return FakeWorld::Reply{};
    });
  }

  ClusterResult Apply(const ClusterPlan& plan) {
    return ApplyCluster(plan, cluster_, platform_, w_.transport, w_.journal, w_.clock, lease_,
                        options_);
  }

  std::vector<StepState> States() {
    std::vector<StepState> out;
    for (const StepRecord& r : w_.journal.records()) out.push_back(r.state);
    return out;
  }

  FakeWorld w_;
  Cluster cluster_;
  Platform platform_;
  Lease lease_;
  ApplyOptions options_;
};

TEST_F(ApplyTest, RunsEachStepJournaledBeforeAndAfter) {
  Obedient();
  ClusterResult r = Apply(MakePlan("c", UpgradeM2()));
  EXPECT_EQ(r.outcome, Outcome::kConverged) << r.reason;
  EXPECT_EQ(r.ran, 3);
  EXPECT_EQ(r.skipped, 0);
  EXPECT_EQ(w_.mutations(),
            (std::vector<std::string>{"c/m2: drain m2", "c/m2: install os 2", "c/m2: undrain m2"}));
  using S = StepState;
  EXPECT_EQ(States(), (std::vector<S>{S::kStarted, S::kDone, S::kStarted, S::kDone, S::kStarted,
                                      S::kDone}));
  std::vector<StepRecord> steps;
  w_.journal.Steps(options_.run_id, &steps);
  ASSERT_EQ(steps.size(), 3u);
  EXPECT_EQ(steps[1].action, "install");
  EXPECT_EQ(steps[1].command, "install os 2");
  EXPECT_EQ(steps[1].exit_status, 0);
  EXPECT_EQ(w_.Get("c/m2", "version.os"), "2");
}

TEST_F(ApplyTest, StartedIsJournaledBeforeTheCommandIsSent) {
  std::vector<StepState> seen_when_sent;
  w_.OnCommand("drain m2", [&](const std::string& m) {
    seen_when_sent = States();
    w_.Set(m, "role", "down");
    return FakeWorld::Reply{};
  });
  std::vector<Step> steps = UpgradeM2();
  steps.resize(1);
  EXPECT_EQ(Apply(MakePlan("c", steps)).outcome, Outcome::kConverged);
  EXPECT_EQ(seen_when_sent, std::vector<StepState>{StepState::kStarted});
}

TEST_F(ApplyTest, StepsWhoseResultHoldsSendOnlyProbes) {
  w_.Set("c/m2", "version.os", "2");
  w_.Set("c/m1", "setting.failback", "manual");
  platform_.facts["setting.failback"] =
      FactSpec{"setting.failback", "show setting.failback", FactKind::kWhole, "", {}, {}, {}};
  Step set = MakeStep(Action::kSet, "m1", "set failback manual",
                      Condition{"setting.failback", "manual", ""});
  set.setting = "failback";
  set.value = "manual";
  std::vector<Step> steps = {UpgradeM2()[1], set};
  ClusterResult r = Apply(MakePlan("c", steps));
  EXPECT_EQ(r.outcome, Outcome::kConverged) << r.reason;
  EXPECT_EQ(r.ran, 0);
  EXPECT_EQ(r.skipped, 2);
  EXPECT_TRUE(w_.mutations().empty());
  for (const FakeTransport::Call& c : w_.transport.calls()) {
    if (!c.command.empty()) {
      EXPECT_TRUE(c.command.starts_with("( show ")) << c.command;
    }
  }
  EXPECT_EQ(States(), (std::vector<StepState>{StepState::kSkipped, StepState::kSkipped}));
  EXPECT_EQ(w_.journal.records()[0].reason, "already holds: m2 version.os is '2'");
}

TEST_F(ApplyTest, ProbesEachMemberOnceAStepInOneRoundTrip) {
  // failover m1 -> m2: guards on m1 (role) and on m2 (role, sync).
  Step failover = MakeStep(Action::kFailover, "m1", "failover m2", Condition{"role", "standby", ""},
                           {{"role", "active", ""}, {"role", "standby", "m2"}, {"sync", "true", "m2"}});
  failover.target = "m2";
  w_.OnCommand("failover m2", [this](const std::string&) {
    w_.Set("c/m1", "role", "standby");
    w_.Set("c/m2", "role", "active");
    return FakeWorld::Reply{};
  });
  EXPECT_EQ(Apply(MakePlan("c", {failover})).outcome, Outcome::kConverged);
  std::vector<std::string> on_m2 = w_.transport.CommandsOn("c/m2");
  ASSERT_EQ(on_m2.size(), 1u);  // role and sync in one script
  EXPECT_NE(on_m2[0].find("show role"), std::string::npos);
  EXPECT_NE(on_m2[0].find("show sync"), std::string::npos);
  // m1: the probe before, the command, one poll of `until`.
  EXPECT_EQ(w_.transport.CommandsOn("c/m1").size(), 3u);
  // One session per member for the whole run.
  int opens = 0;
  for (const FakeTransport::Call& c : w_.transport.calls()) opens += c.command.empty();
  EXPECT_EQ(opens, 2);
}

TEST_F(ApplyTest, GuardThatNoLongerHoldsHoldsTheClusterNamingWhatChanged) {
  Obedient();
  w_.Set("c/m2", "role", "down");  // drain's result holds: skipped
  w_.Set("c/m2", "role", "active", 1);  // ... then someone fails m1 over to m2
  w_.clock.Advance(1);
  std::vector<Step> steps = UpgradeM2();
  steps[0].until = Condition{"role", "down", ""};
  ClusterResult r = Apply(MakePlan("c", {steps[1], steps[2]}));
  EXPECT_EQ(r.outcome, Outcome::kHeld);
  EXPECT_EQ(r.held_at, 1);
  EXPECT_EQ(r.reason, "step 1 (install os 2 on m2) not run: guard failed: m2 role is 'active'; "
                      "expected m2 role 'down'");
  EXPECT_TRUE(w_.mutations().empty());
  ASSERT_EQ(w_.journal.records().size(), 1u);
  EXPECT_EQ(w_.journal.records()[0].state, StepState::kFailed);
}

TEST_F(ApplyTest, GuardOnAPeerNamesThePeer) {
  Step failover = MakeStep(Action::kFailover, "m1", "failover m2", Condition{"role", "standby", ""},
                           {{"role", "active", ""}, {"role", "standby", "m2"}});
  w_.Set("c/m2", "role", "down");
  ClusterResult r = Apply(MakePlan("c", {failover}));
  EXPECT_EQ(r.outcome, Outcome::kHeld);
  EXPECT_NE(r.reason.find("guard failed: m2 role is 'down'; expected m2 role 'standby'"),
            std::string::npos)
      << r.reason;
  EXPECT_TRUE(w_.mutations().empty());
}

TEST_F(ApplyTest, UnreachableMemberHoldsAtTheGuard) {
  w_.transport.SetOpenFailure(
      "c/m2", TransportStatus::Fail(TransportError::kUnreachable, "c/m2 (10.0.0.2): refused"));
  ClusterResult r = Apply(MakePlan("c", UpgradeM2()));
  EXPECT_EQ(r.outcome, Outcome::kHeld);
  EXPECT_EQ(r.reason, "step 1 (drain m2) not run: guard failed: m2 is unreachable (unreachable: "
                      "c/m2 (10.0.0.2): refused); expected m2 in_cluster 'true'");
  EXPECT_TRUE(w_.mutations().empty());
}

TEST_F(ApplyTest, FailedCommandHoldsWithItsExitStatusAndOutput) {
  w_.OnCommand("drain m2", [](const std::string&) {
    return FakeWorld::Reply{{3, "draining\n", "error: disk full\n", false}, {}};
  });
  ClusterResult r = Apply(MakePlan("c", UpgradeM2()));
  EXPECT_EQ(r.outcome, Outcome::kHeld);
  EXPECT_EQ(r.held_at, 1);
  EXPECT_EQ(r.ran, 1);
  EXPECT_EQ(r.reason, "step 1 (drain m2): command exited 3: 'error: disk full'");
  std::vector<StepRecord> rec = w_.journal.records();
  ASSERT_EQ(rec.size(), 2u);  // started, failed; nothing after
  EXPECT_EQ(rec[1].state, StepState::kFailed);
  EXPECT_EQ(rec[1].exit_status, 3);
  EXPECT_EQ(rec[1].output_tail, "draining\nerror: disk full\n");
  EXPECT_EQ(w_.mutations().size(), 1u);
}

TEST_F(ApplyTest, ConditionNotMetByTheDeadlineHolds) {
  w_.OnCommand("drain m2", [](const std::string&) { return FakeWorld::Reply{}; });  // no effect
  int64_t start = w_.clock.MonotonicMs();
  ClusterResult r = Apply(MakePlan("c", UpgradeM2()));
  EXPECT_EQ(r.outcome, Outcome::kHeld);
  EXPECT_EQ(r.reason, "step 1 (drain m2): timed out after 60s waiting for role = down: "
                      "m2 role is 'standby'");
  EXPECT_EQ(w_.clock.MonotonicMs() - start, 60'000);
  EXPECT_EQ(w_.journal.records().back().state, StepState::kFailed);
  EXPECT_EQ(w_.mutations().size(), 1u);
}

TEST_F(ApplyTest, ConditionMustHoldForTheStableTime) {
  Obedient();
  // After undrain m2 flaps: standby at once, down at 2s, standby again at 3s.
  w_.OnCommand("undrain m2", [this](const std::string& m) {
    int64_t now = w_.clock.MonotonicMs();
    w_.Set(m, "role", "standby");
    w_.Set(m, "role", "down", now + 2'000);
    w_.Set(m, "role", "standby", now + 3'000);
    return FakeWorld::Reply{};
  });
  w_.Set("c/m2", "role", "down");
  w_.Set("c/m2", "version.os", "2");
  int64_t start = w_.clock.MonotonicMs();
  ClusterResult r = Apply(MakePlan("c", {UpgradeM2()[2]}));
  EXPECT_EQ(r.outcome, Outcome::kConverged) << r.reason;
  // Stable from 3s on; 5s of stability needed: done at 8s, not at 5s.
  EXPECT_EQ(w_.clock.MonotonicMs() - start, 8'000);
}

TEST_F(ApplyTest, StableTimeNotReachedBeforeTheDeadlineHolds) {
  Step undrain = UpgradeM2()[2];
  undrain.timeout_ms = 4'000;
  w_.Set("c/m2", "role", "down");
  w_.OnCommand("undrain m2", [this](const std::string& m) {
    w_.Set(m, "role", "active", w_.clock.MonotonicMs() + 1'000);
    return FakeWorld::Reply{};
  });
  ClusterResult r = Apply(MakePlan("c", {undrain}));
  EXPECT_EQ(r.outcome, Outcome::kHeld);
  EXPECT_EQ(r.reason, "step 1 (undrain m2): timed out after 4s waiting for role = active|standby: "
                      "m2 role is 'active', for 3s of 5s");
}

TEST_F(ApplyTest, UntilListsAlternatives) {
  EXPECT_TRUE(ConditionMatches("active|standby", "standby"));
  EXPECT_TRUE(ConditionMatches("active|standby", "active"));
  EXPECT_FALSE(ConditionMatches("active|standby", "down"));
  EXPECT_FALSE(ConditionMatches("active|standby", "active|standby"));
  EXPECT_FALSE(ConditionMatches("active|standby", "activ"));
  EXPECT_TRUE(ConditionMatches("down", "down"));
  EXPECT_FALSE(ConditionMatches("down", ""));
  EXPECT_TRUE(ConditionMatches("", ""));
}

TEST_F(ApplyTest, LostLeaseStopsBeforeTheNextStep) {
  Obedient();
  w_.OnCommand("drain m2", [this](const std::string& m) {
    w_.Set(m, "role", "down");
    // Our lease expires and another run takes the cluster over.
    w_.clock.Advance(options_.lease_ttl_ms + 1);
    bool taken = false;
    Lease theirs, holder;
    w_.journal.AcquireLease("c", "them", w_.clock.WallMs(), 60'000, &taken, &theirs, &holder);
    EXPECT_TRUE(taken);
    return FakeWorld::Reply{};
  });
  ClusterResult r = Apply(MakePlan("c", UpgradeM2()));
  EXPECT_EQ(r.outcome, Outcome::kHeld);
  EXPECT_EQ(r.held_at, 2);
  EXPECT_EQ(r.reason, "lease lost: another run took cluster c over (our token 1)");
  EXPECT_EQ(w_.mutations(), std::vector<std::string>{"c/m2: drain m2"});
}

TEST_F(ApplyTest, LongWaitsKeepTheLeaseAlive) {
  w_.OnCommand("drain m2", [this](const std::string& m) {
    w_.Set(m, "role", "down", w_.clock.MonotonicMs() + 50'000);
    return FakeWorld::Reply{};
  });
  options_.lease_ttl_ms = 30'000;
  std::vector<Step> steps = UpgradeM2();
  EXPECT_EQ(Apply(MakePlan("c", {steps[0]})).outcome, Outcome::kConverged);
  EXPECT_GT(w_.journal.LeaseOf("c")->expires_ms, w_.clock.WallMs());
}

TEST_F(ApplyTest, StopRequestHoldsBeforeTheNextStep) {
  Obedient();
  StopSignal stop;
  options_.stop = &stop;
  w_.OnCommand("drain m2", [&](const std::string& m) {
    w_.Set(m, "role", "down");
    stop.RequestFromSignal(SIGINT);
    return FakeWorld::Reply{};
  });
  ClusterResult r = Apply(MakePlan("c", UpgradeM2()));
  EXPECT_EQ(r.outcome, Outcome::kHeld);
  EXPECT_EQ(r.held_at, 2);
  EXPECT_EQ(r.reason, "step 2 (install os 2 on m2) not started: interrupted (SIGINT)");
  EXPECT_EQ(States(), (std::vector<StepState>{StepState::kStarted, StepState::kDone}));
}

TEST_F(ApplyTest, SecondSignalStopsWaitingButNotTheCommand) {
  StopSignal stop;
  options_.stop = &stop;
  w_.OnCommand("drain m2", [&](const std::string&) {
    stop.RequestFromSignal(SIGTERM);
    stop.RequestFromSignal(SIGTERM);
    return FakeWorld::Reply{};  // never takes effect
  });
  ClusterResult r = Apply(MakePlan("c", UpgradeM2()));
  EXPECT_EQ(r.outcome, Outcome::kHeld);
  EXPECT_EQ(r.reason, "step 1 (drain m2): stopped waiting for role = down: interrupted (SIGTERM)");
  EXPECT_EQ(w_.clock.MonotonicMs(), 0);
}

TEST_F(ApplyTest, LostConnectionDuringACommandIsJudgedByItsCondition) {
  w_.OnCommand("install os 2", [this](const std::string& m) {
    w_.Set(m, "version.os", "2", w_.clock.MonotonicMs() + 5'000);  // reboots into the new version
    return FakeWorld::Reply{{-1, "", "", false},
                            TransportStatus::Fail(TransportError::kProtocol, "connection reset")};
  });
  w_.Set("c/m2", "role", "down");
  ClusterResult r = Apply(MakePlan("c", {UpgradeM2()[1]}));
  EXPECT_EQ(r.outcome, Outcome::kConverged) << r.reason;
  EXPECT_EQ(w_.journal.records().back().state, StepState::kDone);
}

TEST_F(ApplyTest, LostConnectionWithoutAConditionHolds) {
  Step backup = MakeStep(Action::kBackup, "m1", "backup", std::nullopt);
  w_.OnCommand("backup", [](const std::string&) {
    return FakeWorld::Reply{{-1, "", "", false},
                            TransportStatus::Fail(TransportError::kTimeout, "c/m1: timed out")};
  });
  ClusterResult r = Apply(MakePlan("c", {backup}));
  EXPECT_EQ(r.outcome, Outcome::kHeld);
  EXPECT_EQ(r.reason, "step 1 (backup m1): timeout: c/m1: timed out");
}

TEST_F(ApplyTest, JournalThatCannotRecordStopsBeforeSending) {
  w_.journal.FailStepRecords("disk I/O error");
  ClusterResult r = Apply(MakePlan("c", UpgradeM2()));
  EXPECT_EQ(r.outcome, Outcome::kHeld);
  EXPECT_EQ(r.reason, "step 1 (drain m2) not run: cannot journal step 1: memory journal: "
                      "disk I/O error");
  EXPECT_TRUE(w_.mutations().empty());
}

TEST_F(ApplyTest, LeaseThatCannotBeRenewedStops) {
  w_.journal.FailLeaseWrites("database is locked");
  ClusterResult r = Apply(MakePlan("c", UpgradeM2()));
  EXPECT_EQ(r.outcome, Outcome::kHeld);
  EXPECT_EQ(r.reason, "cannot renew the lease: memory journal: database is locked");
  EXPECT_TRUE(w_.mutations().empty());
}

TEST_F(ApplyTest, InterruptedStepIsWaitedForNotSentAgain) {
  // A killed run had sent the install 10s ago; it completes 20s from now.
  Step install = UpgradeM2()[1];
  StepRecord was{99, "c", 2, "install", "m2", StepState::kStarted, install.command, -1, "", "",
                 w_.clock.WallMs() - 10'000, 0};
  options_.interrupted = was;
  w_.Set("c/m2", "role", "down");
  w_.Set("c/m2", "version.os", "2", 20'000);
  ClusterResult r = Apply(MakePlan("c", {install}));
  EXPECT_EQ(r.outcome, Outcome::kConverged) << r.reason;
  EXPECT_TRUE(w_.mutations().empty());
  EXPECT_EQ(w_.journal.records().back().reason, "completed by interrupted run 99");
}

// This run is killed too while it waits: the step must be left 'started'
// in its name, from the first run's start, for the run after it to resume.
TEST_F(ApplyTest, AResumedStepIsJournaledStartedWhenTheFirstRunStartedIt) {
  Step install = UpgradeM2()[1];
  int64_t sent = w_.clock.WallMs() - 10'000;
  options_.interrupted =
      StepRecord{99, "c", 2, "install", "m2", StepState::kStarted, install.command, -1, "", "",
                 sent, 0};
  w_.Set("c/m2", "role", "down");
  w_.Set("c/m2", "version.os", "2", 20'000);
  ClusterResult r = Apply(MakePlan("c", {install}));
  EXPECT_EQ(r.outcome, Outcome::kConverged) << r.reason;
  std::vector<StepRecord> records = w_.journal.records();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].run_id, options_.run_id);
  EXPECT_EQ(records[0].state, StepState::kStarted);
  EXPECT_EQ(records[0].command, install.command);
  EXPECT_EQ(records[0].started_ms, sent);
  EXPECT_EQ(records[1].state, StepState::kSkipped);
}

TEST_F(ApplyTest, InterruptedStepThatNeverCompletesIsSentAgain) {
  Obedient();
  Step install = UpgradeM2()[1];
  StepRecord was{99, "c", 2, "install", "m2", StepState::kStarted, install.command, -1, "", "",
                 w_.clock.WallMs() - 10'000, 0};
  options_.interrupted = was;
  w_.Set("c/m2", "role", "down");
  ClusterResult r = Apply(MakePlan("c", {install}));
  EXPECT_EQ(r.outcome, Outcome::kConverged) << r.reason;
  EXPECT_EQ(w_.mutations(), std::vector<std::string>{"c/m2: install os 2"});
  EXPECT_EQ(w_.clock.MonotonicMs(), 50'000);  // what was left of the 60s deadline
}

TEST(StepLabelTest, NamesTheActionAndItsArguments) {
  Step s = MakeStep(Action::kInstall, "m2", "", std::nullopt);
  EXPECT_EQ(StepLabel(4, s), "step 4 (install os 2 on m2)");
  s = MakeStep(Action::kFailover, "m1", "", std::nullopt);
  s.target = "m2";
  EXPECT_EQ(StepLabel(5, s), "step 5 (failover m1 -> m2)");
  s = MakeStep(Action::kSet, "m1", "", std::nullopt);
  s.setting = "failback";
  s.value = "manual";
  EXPECT_EQ(StepLabel(1, s), "step 1 (set.failback manual on m1)");
}

// A setting held for the run: the value it replaces is journaled before the
// hold is sent, and forgotten once the restore is done.
TEST_F(ApplyTest, AHeldSettingIsJournaledUntilItIsRestored) {
  platform_.run_settings["failback"] = "off";
  platform_.facts["setting.failback"] =
      FactSpec{"setting.failback", "show setting.failback", FactKind::kWhole, "", {}, {}, {}};
  w_.Set("c/m1", "setting.failback", "auto");
  for (const char* value : {"off", "auto"})
    w_.OnCommand(std::string("failback ") + value, [this, value](const std::string& m) {
      EXPECT_EQ(w_.journal.records().back().state, StepState::kStarted);
      std::vector<HeldSetting> held;
      w_.journal.Held(&held);
      EXPECT_EQ(held.size(), 1u) << "when sending failback " << value;  // journaled first
      w_.Set(m, "setting.failback", value);
      return FakeWorld::Reply{};
    });
  auto set = [](const std::string& value) {
    Step s = MakeStep(Action::kSet, "m1", "failback " + value,
                      Condition{"setting.failback", value, ""});
    s.setting = "failback";
    s.value = value;
    return s;
  };
  ClusterPlan plan = MakePlan("c", {set("off"), set("auto")});
  bool held_between = false;
  w_.OnCommand("between", [&](const std::string&) {
    std::vector<HeldSetting> held;
    w_.journal.Held(&held);
    held_between = held.size() == 1 && held[0].original == "auto" && held[0].member == "m1" &&
                   held[0].setting == "failback" && held[0].run_id == options_.run_id;
    return FakeWorld::Reply{};
  });
  plan.steps.insert(plan.steps.begin() + 1,
                    MakeStep(Action::kBackup, "m2", "between", std::nullopt));
  ClusterResult r = Apply(plan);
  EXPECT_EQ(r.outcome, Outcome::kConverged) << r.reason;
  EXPECT_TRUE(held_between);
  std::vector<HeldSetting> held;
  w_.journal.Held(&held);
  EXPECT_TRUE(held.empty());
}

TEST_F(ApplyTest, ARestoreThatAlreadyHoldsForgetsTheHeldSetting) {
  platform_.run_settings["failback"] = "off";
  platform_.facts["setting.failback"] =
      FactSpec{"setting.failback", "show setting.failback", FactKind::kWhole, "", {}, {}, {}};
  w_.Set("c/m1", "setting.failback", "auto");  // restored by someone, or by a killed run
  w_.journal.RecordHeld({"c", "m1", "failback", "auto", 1});
  Step restore = MakeStep(Action::kSet, "m1", "failback auto",
                          Condition{"setting.failback", "auto", ""});
  restore.setting = "failback";
  restore.value = "auto";
  ClusterResult r = Apply(MakePlan("c", {restore}));
  EXPECT_EQ(r.skipped, 1);
  std::vector<HeldSetting> held;
  w_.journal.Held(&held);
  EXPECT_TRUE(held.empty());
}

}  // namespace
}  // namespace harc
