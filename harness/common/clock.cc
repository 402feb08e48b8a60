#include "harness/common/clock.h"

#include <thread>

namespace eiabench {

Nanos Clock::ToReal(Nanos d) const {
  double s = scale();
  if (s <= 0.0) return Nanos(0);  // virtual time costs no real time
  return Nanos(static_cast<int64_t>(static_cast<double>(d.count()) / s));
}

ScaledClock::ScaledClock(double scale)
    : epoch_(std::chrono::steady_clock::now()), scale_(scale) {}

Nanos ScaledClock::Now() const {
  auto real = std::chrono::steady_clock::now() - epoch_;
  return Nanos(static_cast<int64_t>(
      static_cast<double>(
          std::chrono::duration_cast<Nanos>(real).count()) *
      scale_));
}

void ScaledClock::SleepUntil(Nanos t) {
  // Sleep in the real time base; re-check because sleep_for may wake early
  // on a signal and the scale turns rounding into real error.
  for (;;) {
    Nanos now = Now();
    if (now >= t) return;
    std::this_thread::sleep_for(ToReal(t - now));
  }
}

void VirtualClock::SleepUntil(Nanos t) {
  if (t > now_) now_ = t;
}

}  // namespace eiabench
