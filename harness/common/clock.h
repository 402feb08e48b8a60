// One clock for every duration in a run.
//
// The pacer, the extractor, the transports and the metrics all read time
// through a Clock, never from std::chrono directly. That lets one pipeline run
// in three modes without a line of it changing:
//
//   RealClock     wall time (steady_clock), for the live API and the mock;
//   ScaledClock   wall time multiplied by a factor, for a time-scaled mock:
//                 a scale of 60 makes one real second count as one minute, so
//                 an hour-long rate-limited run takes a minute;
//   VirtualClock  discrete-event time that only moves when someone advances
//                 it, for the in-process `sim` target.
//
// Times are durations since the clock's epoch (the start of the run) in
// nanoseconds, in the clock's own (possibly virtual) time base.
#pragma once

#include <chrono>
#include <cstdint>

namespace eiabench {

using Nanos = std::chrono::nanoseconds;

inline double ToSeconds(Nanos d) { return static_cast<double>(d.count()) / 1e9; }
inline Nanos FromSeconds(double s) {
  return Nanos(static_cast<int64_t>(s * 1e9));
}

class Clock {
 public:
  virtual ~Clock() = default;

  // Time since this clock's epoch, in the clock's time base.
  virtual Nanos Now() const = 0;

  // Blocks (real clocks) or jumps (virtual clock) until Now() >= t. Returns at
  // once when t is already past.
  virtual void SleepUntil(Nanos t) = 0;

  // How many units of this clock's time pass per real second: 1 for real
  // time, the scale for a scaled clock, 0 for virtual time (it does not
  // follow real time at all).
  virtual double scale() const = 0;

  // Converts a duration in this clock's time base into real time, for code
  // that must hand a real timeout to the OS or libcurl.
  Nanos ToReal(Nanos d) const;
};

// Wall time, scaled: Now() = (steady_clock::now() - epoch) * scale.
class ScaledClock : public Clock {
 public:
  explicit ScaledClock(double scale = 1.0);
  Nanos Now() const override;
  void SleepUntil(Nanos t) override;
  double scale() const override { return scale_; }

 private:
  std::chrono::steady_clock::time_point epoch_;
  double scale_;
};

// Plain wall time.
class RealClock : public ScaledClock {
 public:
  RealClock() : ScaledClock(1.0) {}
};

// Discrete-event time. Not thread-safe: a virtual run is single-threaded.
class VirtualClock : public Clock {
 public:
  Nanos Now() const override { return now_; }
  // Jumps forward to t (never backwards).
  void SleepUntil(Nanos t) override;
  double scale() const override { return 0.0; }
  void AdvanceTo(Nanos t) { SleepUntil(t); }

 private:
  Nanos now_{0};
};

}  // namespace eiabench
