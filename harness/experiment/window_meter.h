// Exact rate-limit compliance from a list of request send times.
//
// A rate limit "L requests per W seconds" is only honest when checked over
// every window of length W, not only over windows aligned to the clock: a
// schedule that passes aligned (fixed) windows can send up to 2L across a
// boundary. So the meter reports both views:
//
//   sliding  max over every t of |{sends in [t, t + W)}|, computed exactly
//            with a two-pointer pass over the sorted times, O(n);
//   fixed    max over k of |{sends in [kW, (k+1)W)}|, what many servers
//            enforce.
//
// Times are in the run's clock base (virtual seconds for sim). Pure
// functions, no state: thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "harness/common/clock.h"

namespace eiabench::experiment {

struct RateLimit {
  double window_s = 3600;
  int64_t limit = 5000;
};

struct WindowCompliance {
  RateLimit rate_limit;
  // Largest number of sends inside any half-open window [t, t + W).
  int64_t max_count = 0;
  // 1 - max_count / limit; negative when the limit was exceeded.
  double headroom = 1.0;
  // The send time that first made some window hold limit + 1 sends.
  std::optional<double> first_violation_s;
  // Largest count in a window aligned to multiples of W from the epoch.
  int64_t fixed_window_max = 0;
  // The server's own count of arrivals (mock /_mock/stats or the model's
  // Stats()), when the target can tell; absent for the live API.
  std::optional<int64_t> server_max_count;

  // False when the client's or the server's count exceeds the limit.
  bool compliant() const;
};

// Measures one window over `send_times` (any order; copied and sorted).
WindowCompliance MeasureWindow(std::vector<Nanos> send_times,
                               const RateLimit& rate_limit);

// The number of sends in the sliding window (t - W, t] at evenly spaced
// sample times from 0 to the last send (inclusive), for plots. At most
// `max_samples` samples; the step is a whole number of milliseconds.
struct WindowSeries {
  RateLimit rate_limit;
  std::vector<double> t_s;
  std::vector<int64_t> count;
};
WindowSeries SampleWindowSeries(std::vector<Nanos> send_times,
                                const RateLimit& rate_limit,
                                size_t max_samples = 500);

}  // namespace eiabench::experiment
