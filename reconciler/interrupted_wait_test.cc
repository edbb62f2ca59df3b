// Waiting, before planning, for a step a killed run left running on a
// cluster that cannot be observed meanwhile.
#include "reconciler/interrupted_wait.h"

#include <gtest/gtest.h>

#include <sstream>

#include "reconciler/fake_world.h"

namespace harc {
namespace {

class InterruptedWaitTest : public ::testing::Test {
 protected:
  InterruptedWaitTest() {
    Platform p = testing::WorldPlatform();
    p.actions["install"] = ActionSpec{"install", "install {version}", std::nullopt, 60'000, 5'000,
                                      0, {}};
    fleet_.platforms["p"] = p;
    fleet_.clusters.push_back(testing::WorldCluster("c", {"m1", "m2"}));
    live_.clusters["c"] = Observed(false);
  }

  // Cluster c with m1 answering (or, while its install runs, not).
  static ObservedCluster Observed(bool m1_answers) {
    ObservedCluster c{"c", {}};
    for (const char* name : {"m1", "m2"}) {
      ObservedMember m{name, "10.0.0.1", true, "", {}};
      m.facts = {{"role", "standby"}, {"in_cluster", "true"}, {"version.os", "1"},
                 {"sync", "true"}};
      c.members.push_back(m);
    }
    c.members[0].facts["role"] = "active";
    if (!m1_answers) {
      c.members[0].reachable = false;
      c.members[0].error = "fact command failed: cluster is not available";
    }
    return c;
  }

  // A killed run that had started `state` install on m1 `ago_ms` ago.
  void KilledRun(StepState state, int64_t ago_ms) {
    RunInfo dead;
    dead.who = "bob@ctl";
    journal_.AddRun(dead, {{0, "c", 4, "install", "m1", state, "install 2", -1, "", "",
                            clock_.WallMs() - ago_ms, 0}});
  }

  void Await() {
    AwaitInterruptedSteps(fleet_, journal_, clock_, [&](const std::string& cluster) {
      gathered_.push_back(cluster);
      return Observed(clock_.MonotonicMs() >= answers_after_ms_);
    }, &live_, io_);
  }

  Fleet fleet_;
  ObservedFleet live_;
  MemoryJournal journal_;
  FakeClock clock_;
  std::ostringstream out_, err_;
  Console io_{out_, err_};
  int64_t answers_after_ms_ = 12'000;
  std::vector<std::string> gathered_;
};

TEST_F(InterruptedWaitTest, GathersAgainEveryIntervalUntilTheClusterCanBeObserved) {
  KilledRun(StepState::kStarted, 10'000);
  Await();
  EXPECT_EQ(gathered_.size(), 3u);  // at 5s, 10s, 15s
  EXPECT_EQ(clock_.MonotonicMs(), 15'000);
  EXPECT_TRUE(live_.clusters["c"].members[0].reachable);
  EXPECT_EQ(err_.str(),
            "harc: c: run 1 was interrupted at step 4 (install m1), which may still be running, "
            "and the cluster cannot be observed (m1: fact command failed: cluster is not "
            "available): observing it again every 5s for up to 50s\n"
            "harc: c: observed\n");
}

TEST_F(InterruptedWaitTest, GivesUpAtTheStepsDeadline) {
  KilledRun(StepState::kStarted, 50'000);
  answers_after_ms_ = 1'000'000;
  Await();
  EXPECT_EQ(clock_.MonotonicMs(), 10'000);  // 60s timeout, started 50s ago
  EXPECT_FALSE(live_.clusters["c"].members[0].reachable);
  EXPECT_NE(err_.str().find("harc: c: still cannot be observed: m1: "), std::string::npos);
}

TEST_F(InterruptedWaitTest, NothingToWaitFor) {
  KilledRun(StepState::kDone, 1'000);  // its step had ended
  Await();
  KilledRun(StepState::kStarted, 61'000);  // past its deadline
  Await();
  live_.clusters["c"] = Observed(true);
  KilledRun(StepState::kStarted, 1'000);  // but the cluster can be observed
  Await();
  EXPECT_TRUE(gathered_.empty());
  EXPECT_EQ(err_.str(), "");
  EXPECT_EQ(clock_.MonotonicMs(), 0);
}

}  // namespace
}  // namespace harc
