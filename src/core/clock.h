// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <chrono>

namespace hs {

using SteadyTime = std::chrono::steady_clock::time_point;
using WallTime = std::chrono::system_clock::time_point;
using Duration = std::chrono::nanoseconds;

/// Source of time. Code never calls std::chrono::*::now() outside RealClock.
class Clock {
 public:
  virtual ~Clock() = default;
  /// Monotonic time for intervals and timers.
  virtual SteadyTime Now() const = 0;
  /// Wall-clock time, for display and log correlation only.
  virtual WallTime WallNow() const = 0;
};

class RealClock final : public Clock {
 public:
  SteadyTime Now() const override { return std::chrono::steady_clock::now(); }
  WallTime WallNow() const override { return std::chrono::system_clock::now(); }
};

/// Manually advanced clock for tests.
class FakeClock final : public Clock {
 public:
  SteadyTime Now() const override { return now_; }
  WallTime WallNow() const override { return WallTime{} + (now_.time_since_epoch()); }
  void Advance(Duration d) { now_ += d; }

 private:
  SteadyTime now_ = SteadyTime{} + std::chrono::hours(1);
};

/// Seconds as a double, for reports and metrics.
inline double ToSeconds(Duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace hs
