#include "reconciler/clock.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace harc {
namespace {

TEST(SystemClockTest, MonotonicAdvancesBySleeps) {
  SystemClock clock;
  int64_t before = clock.MonotonicMs();
  clock.SleepMs(20);
  EXPECT_GE(clock.MonotonicMs() - before, 20);
  clock.SleepMs(0);  // no-ops, not errors
  clock.SleepMs(-5);
}

TEST(SystemClockTest, WallIsUnixMilliseconds) {
  SystemClock clock;
  EXPECT_GT(clock.WallMs(), 1'700'000'000'000);  // after November 2023
  EXPECT_LT(clock.WallMs(), 4'100'000'000'000);  // before 2100
}

TEST(FakeClockTest, MovesOnlyWhenTold) {
  FakeClock clock(1'000'000);
  EXPECT_EQ(clock.MonotonicMs(), 0);
  EXPECT_EQ(clock.WallMs(), 1'000'000);
  EXPECT_EQ(clock.MonotonicMs(), 0);
  clock.Advance(1500);
  EXPECT_EQ(clock.MonotonicMs(), 1500);
  EXPECT_EQ(clock.WallMs(), 1'001'500);
}

TEST(FakeClockTest, SleepAdvancesAndNeverGoesBack) {
  FakeClock clock(0);
  clock.SleepMs(250);
  EXPECT_EQ(clock.MonotonicMs(), 250);
  clock.SleepMs(-100);
  clock.Advance(-100);
  EXPECT_EQ(clock.MonotonicMs(), 250);
  EXPECT_EQ(clock.WallMs(), 250);
}

TEST(FakeClockTest, WallJumpsAreInvisibleToTheMonotonicClock) {
  FakeClock clock(10'000);
  clock.JumpWall(-5'000);  // NTP stepped the clock back
  EXPECT_EQ(clock.WallMs(), 5'000);
  EXPECT_EQ(clock.MonotonicMs(), 0);
  clock.JumpWall(60'000);
  EXPECT_EQ(clock.WallMs(), 65'000);
  EXPECT_EQ(clock.MonotonicMs(), 0);
}

TEST(FakeClockTest, DefaultStartsIn2026) {
  FakeClock clock;
  EXPECT_EQ(clock.WallMs(), 1'790'000'000'000);
}

TEST(FakeClockTest, ConcurrentSleepsAllCount) {
  FakeClock clock(0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&clock] {
      for (int i = 0; i < 1000; ++i) clock.SleepMs(1);
    });
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(clock.MonotonicMs(), 4000);
  EXPECT_EQ(clock.WallMs(), 4000);
}

}  // namespace
}  // namespace harc
