#include "harness/experiment/window_meter.h"

#include <algorithm>
#include <cmath>

namespace eiabench::experiment {

bool WindowCompliance::compliant() const {
  if (max_count > rate_limit.limit) return false;
  return !(server_max_count && *server_max_count > rate_limit.limit);
}

namespace {

// Two pointers: `lo` is the oldest send still inside [times[hi] - W, ...];
// a send exactly W after another starts a new window, so the two never
// share one (the window is half-open).
void SlidingPass(const std::vector<Nanos>& times, Nanos window,
                 WindowCompliance* out) {
  size_t lo = 0;
  for (size_t hi = 0; hi < times.size(); ++hi) {
    while (times[hi] - times[lo] >= window) ++lo;
    auto count = static_cast<int64_t>(hi - lo + 1);
    out->max_count = std::max(out->max_count, count);
    if (count > out->rate_limit.limit && !out->first_violation_s) {
      out->first_violation_s = ToSeconds(times[hi]);
    }
  }
}

void FixedPass(const std::vector<Nanos>& times, Nanos window,
               WindowCompliance* out) {
  int64_t current_bucket = -1;
  int64_t count = 0;
  for (Nanos t : times) {
    int64_t bucket = t.count() / window.count();
    if (bucket != current_bucket) {
      current_bucket = bucket;
      count = 0;
    }
    ++count;
    out->fixed_window_max = std::max(out->fixed_window_max, count);
  }
}

}  // namespace

WindowCompliance MeasureWindow(std::vector<Nanos> send_times,
                               const RateLimit& rate_limit) {
  std::sort(send_times.begin(), send_times.end());
  WindowCompliance out;
  out.rate_limit = rate_limit;
  Nanos window = FromSeconds(rate_limit.window_s);
  if (window.count() <= 0) window = Nanos(1);
  SlidingPass(send_times, window, &out);
  FixedPass(send_times, window, &out);
  out.headroom = rate_limit.limit > 0
                     ? 1.0 - static_cast<double>(out.max_count) /
                                 static_cast<double>(rate_limit.limit)
                     : 0.0;
  return out;
}

WindowSeries SampleWindowSeries(std::vector<Nanos> send_times,
                                const RateLimit& rate_limit,
                                size_t max_samples) {
  std::sort(send_times.begin(), send_times.end());
  WindowSeries series;
  series.rate_limit = rate_limit;
  if (send_times.empty() || max_samples < 2) return series;
  Nanos window = FromSeconds(rate_limit.window_s);
  Nanos last = send_times.back();
  // A whole-millisecond step keeps the sample times short in JSON.
  int64_t step_ms =
      static_cast<int64_t>(std::ceil(static_cast<double>(last.count()) / 1e6 /
                                     static_cast<double>(max_samples - 1)));
  Nanos step = std::chrono::milliseconds(std::max<int64_t>(step_ms, 1));
  size_t lo = 0, hi = 0;
  for (Nanos t{0}; series.t_s.size() < max_samples; t += step) {
    while (hi < send_times.size() && send_times[hi] <= t) ++hi;
    while (lo < hi && send_times[lo] <= t - window) ++lo;
    series.t_s.push_back(ToSeconds(t));
    series.count.push_back(static_cast<int64_t>(hi - lo));
    if (t >= last) break;
  }
  return series;
}

}  // namespace eiabench::experiment
