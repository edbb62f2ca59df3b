// Time, behind an interface (LevelDB's Env): apply waits for conditions with
// deadlines and poll intervals, and leases expire. The real clock reads the
// system clocks and sleeps; FakeClock (tests) advances only when told, or by
// the amount a sleep asked for, so tests of waiting and of lease expiry run
// instantly and deterministically.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>

namespace harc {

class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic milliseconds, for deadlines and intervals.
  virtual int64_t MonotonicMs() = 0;
  // Wall-clock milliseconds since the Unix epoch, for the journal and leases
  // (leases are shared between machines, so they use wall time).
  virtual int64_t WallMs() = 0;
  virtual void SleepMs(int64_t ms) = 0;
};

class SystemClock : public Clock {
 public:
  int64_t MonotonicMs() override;
  int64_t WallMs() override;
  void SleepMs(int64_t ms) override;
};

// A clock that moves only when told to; SleepMs advances it. Thread-safe.
class FakeClock : public Clock {
 public:
  explicit FakeClock(int64_t wall_ms = 1'790'000'000'000) : wall_(wall_ms) {}
  int64_t MonotonicMs() override;
  int64_t WallMs() override;
  void SleepMs(int64_t ms) override { Advance(ms); }
  void Advance(int64_t ms);
  // A wall-clock jump (NTP step, VM resume) that the monotonic clock does not see.
  void JumpWall(int64_t ms);

 private:
  std::mutex mu_;
  int64_t mono_ = 0;
  int64_t wall_;
};

}  // namespace harc
