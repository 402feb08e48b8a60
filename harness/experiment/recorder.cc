#include "harness/experiment/recorder.h"

#include <algorithm>
#include <cmath>

namespace eiabench::experiment {

namespace {

double Us(Nanos d) { return static_cast<double>(d.count()) / 1e3; }

const char* StatusClass(const RequestEvent& e) {
  if (e.transport_error != TransportError::kNone) return "transport_errors";
  if (e.status == 429) return "http_429";
  if (e.status == 403) return "http_403";
  if (e.status >= 200 && e.status < 300) return "http_2xx";
  if (e.status >= 500) return "http_5xx";
  if (e.status >= 400) return "http_4xx";
  return "http_other";
}

}  // namespace

Recorder::Recorder(std::ostream* events, size_t cell, int rep)
    : events_(events), cell_(cell), rep_(rep) {}

void Recorder::OnRequest(const RequestEvent& e) {
  send_times_.push_back(e.started_at);
  exchanges_.push_back({e.started_at, e.finished_at});
  first_start_ = std::min(first_start_, e.started_at);
  last_end_ = std::max(last_end_, e.finished_at);
  latency_us_.Record((e.finished_at - e.started_at).count() / 1000);
  intended_latency_us_.Record((e.finished_at - e.intended_start).count() /
                              1000);
  ++counts_[StatusClass(e)];
  if (e.attempt > 0) ++counts_["retries"];
  if (e.outcome == Outcome::kBadBody) ++counts_["bad_bodies"];
  if (e.outcome == Outcome::kOk) ++ok_requests_;
  rows_ += e.rows;
  if (e.new_connection) {
    ++new_connections_;
    connect_sum_us_ += Us(e.connect);
    if (e.tls.count() > 0) {
      tls_sum_us_ += Us(e.tls);
      ++tls_count_;
    }
  }
  parse_time_ += e.parse_time;
  sink_time_ += e.sink_time;
  if (!events_) return;
  Json line;
  line["cell"] = cell_;
  line["rep"] = rep_;
  line["page_id"] = e.page_id;
  line["attempt"] = e.attempt;
  line["intended_start_s"] = ToSeconds(e.intended_start);
  line["started_s"] = ToSeconds(e.started_at);
  line["finished_s"] = ToSeconds(e.finished_at);
  line["outcome"] = OutcomeName(e.outcome);
  line["status"] = e.status;
  line["transport_error"] = TransportErrorName(e.transport_error);
  line["rows"] = e.rows;
  line["bytes"] = e.bytes;
  line["new_connection"] = e.new_connection;
  line["in_flight"] = e.in_flight_at_start;
  *events_ << line.dump() << '\n';
}

void Recorder::OnPacingWait(Nanos from, Nanos to) {
  if (to > from) pacing_ += to - from;
}

void Recorder::OnBackoff(Nanos from, Nanos to) {
  if (to > from) backoff_ += to - from;
}

int64_t Recorder::SendsInWindow(Nanos now, Nanos window) const {
  // Sends are appended in time order, so count back from the end.
  int64_t n = 0;
  for (auto it = send_times_.rbegin();
       it != send_times_.rend() && *it > now - window; ++it)
    ++n;
  return n;
}

void Recorder::AddLatencyMetrics(Json* m) const {
  const std::pair<const char*, double> kPoints[] = {
      {"p50", 50}, {"p90", 90}, {"p99", 99}, {"p999", 99.9}};
  const std::pair<const char*, const LatencyHistogram*> kViews[] = {
      {"latency_", &latency_us_}, {"intended_latency_", &intended_latency_us_}};
  for (const auto& [prefix, h] : kViews) {
    if (h->count() == 0) continue;
    std::string p = prefix;
    for (const auto& [name, pct] : kPoints)
      (*m)[p + name + "_us"] = h->ValueAtPercentile(pct);
    (*m)[p + "max_us"] = h->max();
    (*m)[p + "mean_us"] = std::round(h->mean());
  }
}

// Union of the exchange intervals (time with at least one request in
// flight) and the sweep-line peak of overlapping exchanges: the concurrency
// actually reached, whatever the settings asked for.
namespace {
struct FlightStats {
  double union_s = 0;
  int64_t peak = 0;
};
template <typename Intervals>
FlightStats Flight(Intervals intervals) {
  FlightStats out;
  std::vector<std::pair<Nanos, int>> edges;
  for (const auto& i : intervals) {
    edges.push_back({i.from, +1});
    edges.push_back({i.to, -1});
  }
  // Ends sort before starts at the same instant: back-to-back exchanges do
  // not overlap.
  std::sort(edges.begin(), edges.end());
  int64_t depth = 0;
  Nanos busy_since{0};
  Nanos busy{0};
  for (const auto& [t, d] : edges) {
    if (depth == 0 && d > 0) busy_since = t;
    depth += d;
    if (depth == 0) busy += t - busy_since;
    out.peak = std::max(out.peak, depth);
  }
  out.union_s = ToSeconds(busy);
  return out;
}
}  // namespace

void Recorder::AddTimeBudget(const Context& c, double duration_s,
                             Json* m) const {
  FlightStats f = Flight(exchanges_);
  (*m)["peak_in_flight"] = f.peak;
  (*m)["time_pacing_s"] = ToSeconds(pacing_);
  (*m)["time_in_flight_s"] = f.union_s;
  // Parse and sink times are real CPU time: in virtual time they would make
  // two runs of the same seed differ, so they are left out there.
  if (!c.virtual_time) {
    (*m)["time_parse_s"] = ToSeconds(parse_time_);
    (*m)["time_sink_s"] = ToSeconds(sink_time_);
  }
  (*m)["time_backoff_s"] = ToSeconds(backoff_);
  double sleep_s =
      c.pre_request_sleep_s * static_cast<double>(send_times_.size());
  if (sleep_s > 0) (*m)["time_sleep_s"] = sleep_s;
  (*m)["time_other_s"] =
      std::max(0.0, duration_s - f.union_s - ToSeconds(pacing_) -
                        ToSeconds(backoff_) - sleep_s);
}

// Which constraint bound the run, by the share of the duration each took:
// the server (rate-limit answers or backoff), the pacer (waits the limiter
// or the seed's sleep imposed), the concurrency limit (the configured
// number of batches kept in flight most of the time), or else latency.
std::string Recorder::BoundBy(const Context& c, const Json& m) const {
  double duration = m.value("duration_s", 0.0);
  if (duration <= 0) return "latency";
  if (m.value("http_429", 0) + m.value("http_403", 0) > 0 ||
      m.value("time_backoff_s", 0.0) > 0.25 * duration)
    return "server";
  double paced = m.value("time_pacing_s", 0.0) + m.value("time_sleep_s", 0.0);
  if (paced > 0.25 * duration) return "pacer";
  if (m.value("time_in_flight_s", 0.0) > 0.9 * duration &&
      m.value("peak_in_flight", 0) >= c.max_concurrent_batches)
    return "concurrency";
  return "latency";
}

Recorder::Result Recorder::Finish(const Context& c) const {
  Result r;
  Json& m = r.metrics;
  Nanos started = Nanos::max(), finished{0};
  uint64_t failed_pages = 0, warnings = 0, gaps = 0, duplicates = 0, bytes = 0;
  for (const ExtractSummary& s : c.passes) {
    started = std::min(started, s.started_at);
    finished = std::max(finished, s.finished_at);
    failed_pages += s.pages_failed;
    warnings += s.warnings;
    gaps += s.gaps;
    duplicates += s.duplicates;
    bytes += s.bytes;
  }
  if (c.passes.empty()) started = first_start_, finished = last_end_;
  // The timed window is the extraction's own, from Run()'s start to its
  // end: like the seed's wall clock, it includes pacing, any pre-request
  // sleep, parsing and the sink, not only time on the wire.
  double duration_s = std::max(ToSeconds(finished - started), 0.0);
  uint64_t requests = send_times_.size();
  m["records"] = rows_;
  m["requests"] = requests;
  m["duration_s"] = duration_s;
  if (duration_s > 0) {
    m["records_per_s"] = static_cast<double>(rows_) / duration_s;
    m["requests_per_s"] = static_cast<double>(requests) / duration_s;
    m["requests_per_hour"] = static_cast<double>(requests) / duration_s * 3600;
  }
  if (ok_requests_ > 0) {
    double per = static_cast<double>(rows_) / static_cast<double>(ok_requests_);
    m["records_per_request"] = per;
    m["page_fill"] = per / static_cast<double>(c.max_rows_per_request);
  }
  if (c.expected_rows && *c.expected_rows > 0) {
    m["rows_expected"] = *c.expected_rows;
    m["completeness"] =
        static_cast<double>(rows_) / static_cast<double>(*c.expected_rows);
  }
  if (!c.limits.empty()) {
    const RateLimit& l = c.limits[0];
    double ceiling = static_cast<double>(l.limit) *
                     static_cast<double>(c.max_rows_per_request) / l.window_s;
    m["ceiling_records_per_s"] = ceiling;
    if (m.contains("records_per_s"))
      m["efficiency"] = m["records_per_s"].get<double>() / ceiling;
  }
  for (const char* k :
       {"http_2xx", "http_429", "http_403", "http_4xx", "http_5xx",
        "transport_errors", "retries", "bad_bodies"}) {
    auto it = counts_.find(k);
    m[k] = it == counts_.end() ? 0 : it->second;
  }
  m["failed_pages"] = failed_pages;
  m["backoff_s"] = ToSeconds(backoff_);
  m["api_warnings"] = warnings;
  m["gaps"] = gaps;
  m["duplicates"] = duplicates;
  m["bytes"] = bytes;
  AddLatencyMetrics(&m);
  m["connections_opened"] = new_connections_;
  if (requests > 0)
    m["connection_reuse_ratio"] = 1.0 - static_cast<double>(new_connections_) /
                                            static_cast<double>(requests);
  if (new_connections_ > 0)
    m["connect_mean_us"] =
        std::round(connect_sum_us_ / static_cast<double>(new_connections_));
  if (tls_count_ > 0)
    m["tls_mean_us"] =
        std::round(tls_sum_us_ / static_cast<double>(tls_count_));
  AddTimeBudget(c, duration_s, &m);
  if (m.contains("records_per_s")) {
    double per_hour = m["records_per_s"].get<double>() * 3600;
    m["projected_records_per_hour"] = per_hour;
    if (c.full_history_rows && per_hour > 0)
      m["projected_full_history_hours"] =
          static_cast<double>(*c.full_history_rows) / per_hour;
  }
  r.bound_by = BoundBy(c, m);

  // Compliance: every configured window, client view and server view.
  for (size_t i = 0; i < c.limits.size(); ++i) {
    WindowCompliance w = MeasureWindow(send_times_, c.limits[i]);
    if (i < c.server_max_counts.size())
      w.server_max_count = c.server_max_counts[i];
    r.compliance.push_back(w);
  }
  r.latency_spectrum_us = Json::array();
  if (latency_us_.count() > 0) {
    for (double p : {50.0, 90.0, 99.0, 99.9, 100.0})
      r.latency_spectrum_us.push_back(
          Json::array({p, latency_us_.ValueAtPercentile(p)}));
  }
  if (!c.limits.empty()) {
    WindowSeries s = SampleWindowSeries(send_times_, c.limits[0]);
    r.window_series = {{"window_s", s.rate_limit.window_s},
                       {"limit", s.rate_limit.limit},
                       {"t_s", s.t_s},
                       {"count", s.count}};
  }
  return r;
}

}  // namespace eiabench::experiment
