#include "reconciler/clock.h"

#include <thread>

namespace harc {
namespace {

template <typename C>
int64_t MsSinceEpoch() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(C::now().time_since_epoch()).count();
}

}  // namespace

int64_t SystemClock::MonotonicMs() { return MsSinceEpoch<std::chrono::steady_clock>(); }

int64_t SystemClock::WallMs() { return MsSinceEpoch<std::chrono::system_clock>(); }

void SystemClock::SleepMs(int64_t ms) {
  if (ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

int64_t FakeClock::MonotonicMs() {
  std::lock_guard lock(mu_);
  return mono_;
}

int64_t FakeClock::WallMs() {
  std::lock_guard lock(mu_);
  return wall_;
}

void FakeClock::Advance(int64_t ms) {
  if (ms <= 0) return;  // time never runs backwards, as with a real sleep
  std::lock_guard lock(mu_);
  mono_ += ms;
  wall_ += ms;
}

void FakeClock::JumpWall(int64_t ms) {
  std::lock_guard lock(mu_);
  wall_ += ms;
}

}  // namespace harc
