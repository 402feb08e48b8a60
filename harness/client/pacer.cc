#include "harness/client/pacer.h"

#include <algorithm>
#include <cmath>

namespace eiabench {
namespace {

// Seconds to nanoseconds, rounded up so a limit is never loosened.
Nanos CeilNanos(double seconds) {
  return Nanos(static_cast<int64_t>(std::ceil(seconds * 1e9)));
}

}  // namespace

Pacer::Pacer(const PacerOptions& o) {
  double gap_s = o.seed_limiter ? 0.0 : o.delay_between_operations_s;
  if (o.max_operations_per_second > 0)
    gap_s = std::max(gap_s, 1.0 / o.max_operations_per_second);
  min_gap_ = CeilNanos(gap_s);
  if (o.requests_per_hour > 0) {
    emission_interval_ = CeilNanos(3600.0 / o.requests_per_hour);
    tolerance_ = emission_interval_ * (std::max(o.burst, 1) - 1);
  }
  if (o.seed_limiter) seed_delay_ = CeilNanos(o.delay_between_operations_s);
}

Nanos Pacer::EarliestStart(Nanos now) const {
  Nanos t = now;
  if (last_start_) t = std::max(t, *last_start_ + min_gap_);
  if (emission_interval_.count() > 0) t = std::max(t, tat_ - tolerance_);
  return t;
}

void Pacer::RecordStart(Nanos t) {
  last_start_ = t;
  if (emission_interval_.count() > 0) {
    tat_ = std::max(tat_, t) + emission_interval_;
  }
}

Nanos Pacer::SeedWake(Nanos ready) const {
  if (seed_delay_.count() == 0 || !seed_last_start_) return ready;
  Nanos elapsed = ready - *seed_last_start_;
  return elapsed >= seed_delay_ ? ready : ready + (seed_delay_ - elapsed);
}

}  // namespace eiabench
