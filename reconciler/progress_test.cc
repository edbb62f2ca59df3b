// Progress output in its three styles, and the summary, pinned.
#include "reconciler/progress.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "reconciler/fake_world.h"

namespace harc {
namespace {

using testing::MakePlan;
using testing::MakeStep;

class ProgressTest : public ::testing::Test {
 protected:
  ProgressTest() : clock_(1'790'000'000'000) {  // 2026-09-21T14:13:20Z
    plan_ = MakePlan("fw", {MakeStep(Action::kDrain, "m2", "drain", Condition{"role", "down", ""})},
                     "canary");
  }

  // One cluster's life: started, step running, waiting, done after 8s, ended.
  void Drive(Progress& p) {
    const Step& s = plan_.steps[0];
    p.ClusterStarted(plan_);
    p.OnStep({"fw", "canary", 1, 1, &s, StepPhase::kRunning, "", -1});
    p.OnStep({"fw", "canary", 1, 1, &s, StepPhase::kWaiting, "role = down", -1});
    clock_.Advance(8'000);
    p.OnStep({"fw", "canary", 1, 1, &s, StepPhase::kDone, "", 0});
    p.ClusterEnded(ClusterResult{"fw", "canary", Outcome::kConverged, "", 1, 1, 0, 0});
  }

  FakeClock clock_;
  ClusterPlan plan_;
  std::ostringstream out_;
};

TEST_F(ProgressTest, PlainIsOneTimestampedLinePerEvent) {
  {
    Progress p(out_, ProgressStyle::kPlain, clock_);
    Drive(p);
  }
  EXPECT_EQ(out_.str(),
            "2026-09-21T14:13:20Z fw: started (wave canary, 1 steps)\n"
            "2026-09-21T14:13:20Z fw: step 1/1 drain m2: running\n"
            "2026-09-21T14:13:20Z fw: step 1/1 drain m2: waiting for role = down\n"
            "2026-09-21T14:13:28Z fw: step 1/1 drain m2: done in 8s\n"
            "2026-09-21T14:13:28Z fw: converged: 1 steps: 1 run, 0 skipped\n");
}

TEST_F(ProgressTest, JsonIsOneObjectPerLine) {
  {
    Progress p(out_, ProgressStyle::kJson, clock_);
    Drive(p);
  }
  std::istringstream lines(out_.str());
  std::vector<nlohmann::json> events;
  for (std::string line; std::getline(lines, line);) events.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events[0]["event"], "cluster_started");
  EXPECT_EQ(events[1]["event"], "step");
  EXPECT_EQ(events[1]["phase"], "running");
  EXPECT_EQ(events[1]["action"], "drain");
  EXPECT_EQ(events[1]["member"], "m2");
  EXPECT_EQ(events[3]["phase"], "done");
  EXPECT_EQ(events[3]["exit_status"], 0);
  EXPECT_EQ(events[3]["time"], "2026-09-21T14:13:28Z");
  EXPECT_EQ(events[4]["event"], "cluster_ended");
  EXPECT_EQ(events[4]["outcome"], "converged");
}

TEST_F(ProgressTest, JsonSurvivesOutputThatIsNotUtf8) {
  {
    Progress p(out_, ProgressStyle::kJson, clock_);
    p.ClusterNote("fw", "bad byte \xff here");
  }
  EXPECT_NO_THROW(nlohmann::json::parse(out_.str()));
}

TEST_F(ProgressTest, LiveRedrawsABlockOfRunningClusters) {
  {
    Progress p(out_, ProgressStyle::kLive, clock_, 40);
    const Step& s = plan_.steps[0];
    p.ClusterStarted(plan_);
    p.OnStep({"fw", "canary", 1, 1, &s, StepPhase::kWaiting, "role = down", -1});
    p.ClusterEnded(ClusterResult{"fw", "canary", Outcome::kHeld, "step 1 (drain m2): timed out",
                                 1, 1, 0, 1});
  }
  std::string s = out_.str();
  EXPECT_NE(s.find("fw: started\n"), std::string::npos) << s;
  // The live line, cut to 39 columns, then erased ("\x1b[1F\x1b[J") before the next print.
  EXPECT_NE(s.find("  fw [canary] step 1/1 drain m2: waitin\n\x1b[1F\x1b[J"), std::string::npos)
      << s;
  EXPECT_NE(s.find("fw: held: step 1 (drain m2): timed out\n"), std::string::npos) << s;
}

TEST_F(ProgressTest, LiveLineShowsElapsedOnlyWhileAStepIsGoing) {
  {
    Progress p(out_, ProgressStyle::kLive, clock_);
    Drive(p);
  }
  std::string s = out_.str();
  const std::string redraw = "\x1b[1F\x1b[J";  // up to the block, erase it
  EXPECT_NE(s.find("fw: started\n  fw [canary] starting 0s\n"), std::string::npos) << s;
  EXPECT_NE(s.find(redraw + "  fw [canary] step 1/1 drain m2: waiting for role = down 0s\n"),
            std::string::npos) << s;
  EXPECT_NE(s.find(redraw + "  fw [canary] step 1/1 drain m2: done in 8s\n"), std::string::npos)
      << s;
  EXPECT_EQ(s.find("step 0/"), std::string::npos) << s;
}

TEST(SummaryTest, OneLinePerClusterWithWhy) {
  RolloutResult r;
  r.clusters = {
      {"fw-east", "canary", Outcome::kConverged, "", 6, 5, 1, 0},
      {"quiet", "default", Outcome::kConverged, "in sync", 0, 0, 0, 0},
      {"fw-west", "default", Outcome::kHeld, "step 4 (install os 2 on m2): timed out", 6, 3, 0, 4},
      {"lb", "default", Outcome::kHeld, "lease lost: x", 6, 1, 0, 2},
      {"pair", "default", Outcome::kLocked, "alice (token 4, expires in 60s)", 3, 0, 0, 0},
      {"sg", "default", Outcome::kUnobservable, "n1: unreachable", 0, 0, 0, 0},
      {"tms", "default", Outcome::kUnsafe, "0 members would serve", 0, 0, 0, 0},
      {"late", "default", Outcome::kNotStarted, "failure budget spent", 2, 0, 0, 0},
  };
  EXPECT_EQ(RenderSummary(r),
            "Summary: 2 converged, 2 held, 1 locked, 3 skipped.\n"
            "  fw-east  converged  6 steps: 5 run, 1 skipped\n"
            "  quiet    converged  in sync\n"
            "  fw-west  held       step 4 (install os 2 on m2): timed out\n"
            "  lb       held       at step 2: lease lost: x\n"
            "  pair     locked     by alice (token 4, expires in 60s)\n"
            "  sg       skipped    unobservable: n1: unreachable\n"
            "  tms      skipped    unsafe: 0 members would serve\n"
            "  late     skipped    not started: failure budget spent\n");
}

TEST(FormatElapsedTest, SecondsMinutesHours) {
  EXPECT_EQ(FormatElapsed(0), "0s");
  EXPECT_EQ(FormatElapsed(8'900), "8s");
  EXPECT_EQ(FormatElapsed(184'000), "3m04s");
  EXPECT_EQ(FormatElapsed(3'720'000), "1h02m");
}

}  // namespace
}  // namespace harc
