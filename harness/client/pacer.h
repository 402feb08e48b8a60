// The global request limiter: decides when the next request may *start*.
//
// Three limits combine (each off when zero):
//   - a minimum gap between any two starts: max(delay_between_operations_s,
//     1 / max_operations_per_second);
//   - GCRA (generic cell rate algorithm, the virtual-scheduling form of a
//     token bucket) with an emission interval T = 3600 s / requests_per_hour
//     (rounded *up* to the nanosecond, so rounding can only slow it) and a
//     tolerance of (burst - 1) * T: at most `burst` starts back to back, and
//     any half-open window (t - W, t] holds at most floor(W / T) + burst
//     starts, i.e. requests_per_hour + burst - 1 per sliding hour;
//   - the seed's limiter (optional, for reproduction): see SeedWake().
//
// All times are Clock times. Not thread-safe: the extractor's loop owns it.
#pragma once

#include <cstdint>
#include <optional>

#include "harness/common/clock.h"

namespace eiabench {

struct PacerOptions {
  double delay_between_operations_s = 0;
  double max_operations_per_second = 0;
  double requests_per_hour = 0;
  int burst = 1;
  // true: the delay is applied the seed's way (SeedWake), not as a gap.
  bool seed_limiter = false;
};

class Pacer {
 public:
  explicit Pacer(const PacerOptions& options);

  // The earliest time >= now at which a start conforms to every limit.
  Nanos EarliestStart(Nanos now) const;

  // Records a start at `t` (callers start only at or after EarliestStart).
  void RecordStart(Nanos t);

  // The seed's _apply_rate_limiting: a request that becomes ready at
  // `ready` sleeps delay - (ready - last_start) once and then fires without
  // re-checking. Returns when it fires. Requests that become ready together
  // get the same wake time and fire back to back.
  Nanos SeedWake(Nanos ready) const;
  // The seed records its timestamp before its own client sleep and GET.
  void RecordSeedStart(Nanos t) { seed_last_start_ = t; }

  Nanos min_gap() const { return min_gap_; }
  Nanos emission_interval() const { return emission_interval_; }

 private:
  Nanos min_gap_{0};
  Nanos emission_interval_{0};  // 0 = GCRA off
  Nanos tolerance_{0};
  Nanos seed_delay_{0};
  std::optional<Nanos> last_start_;
  std::optional<Nanos> seed_last_start_;
  Nanos tat_{0};  // GCRA theoretical arrival time
};

}  // namespace eiabench
