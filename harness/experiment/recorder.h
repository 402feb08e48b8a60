// The recorder: turns the pipeline's per-request events into the metrics of
// one repetition (docs/RESULTS.md, "Metrics").
//
// It keeps every send time (for the exact window meter), two latency
// histograms (from the actual send, and from the intended send, which
// includes time queued behind the pacer or the concurrency limit: the
// coordinated-omission view), status counts, connection figures and the
// time budget. Optionally it streams one NDJSON line per request to an
// event log (no URL, so never an API key).
//
// Not thread-safe: it lives on the extractor's thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "harness/client/events.h"
#include "harness/client/extractor.h"
#include "harness/experiment/histogram.h"
#include "harness/experiment/scenario.h"
#include "harness/experiment/window_meter.h"

namespace eiabench::experiment {

class Recorder : public ExtractObserver {
 public:
  // `events` (may be null) receives one JSON line per request, tagged with
  // `cell` and `rep`.
  Recorder(std::ostream* events, size_t cell, int rep);

  void OnRequest(const RequestEvent& event) override;
  void OnPacingWait(Nanos from, Nanos to) override;
  void OnBackoff(Nanos from, Nanos to) override;

  const std::vector<Nanos>& send_times() const { return send_times_; }
  // Requests sent in the trailing `window` before `now` (progress line).
  int64_t SendsInWindow(Nanos now, Nanos window) const;
  uint64_t rows() const { return rows_; }

  // What the runner knows besides the events.
  struct Context {
    std::vector<ExtractSummary> passes;         // one per workload pass
    std::optional<uint64_t> expected_rows;      // truth, all passes
    std::optional<uint64_t> full_history_rows;  // 2015-2024, one pass
    uint64_t max_rows_per_request = 5000;
    std::vector<RateLimit> limits;
    // Per configured window: the server's own max count, when known.
    std::vector<std::optional<int64_t>> server_max_counts;
    int max_concurrent_batches = 1;
    // The seed client's blocking sleep before every GET; it is not a pacer
    // wait the pipeline reports, so the budget accounts for it here.
    double pre_request_sleep_s = 0;
    bool virtual_time = false;  // omit real-CPU metrics (not deterministic)
  };

  // The repetition's "metrics", "compliance", "bound_by",
  // "latency_spectrum_us" and "window_series" (ordered as in the schema).
  struct Result {
    Json metrics;
    std::vector<WindowCompliance> compliance;
    std::string bound_by;
    Json latency_spectrum_us;
    Json window_series;
  };
  Result Finish(const Context& context) const;

 private:
  struct Interval {
    Nanos from, to;
  };
  void AddLatencyMetrics(Json* m) const;
  void AddTimeBudget(const Context& c, double duration_s, Json* m) const;
  std::string BoundBy(const Context& c, const Json& m) const;

  std::ostream* events_;
  size_t cell_;
  int rep_;
  std::vector<Nanos> send_times_;
  std::vector<Interval> exchanges_;
  LatencyHistogram latency_us_;
  LatencyHistogram intended_latency_us_;
  std::map<std::string, uint64_t> counts_;
  uint64_t rows_ = 0;
  uint64_t ok_requests_ = 0;
  uint64_t new_connections_ = 0;
  double connect_sum_us_ = 0;
  double tls_sum_us_ = 0;
  uint64_t tls_count_ = 0;
  Nanos parse_time_{0}, sink_time_{0}, pacing_{0}, backoff_{0};
  Nanos first_start_ = Nanos::max();
  Nanos last_end_{0};
};

}  // namespace eiabench::experiment
