#include "harness/analysis/metrics.h"

#include <array>

#include "harness/analysis/stats.h"

namespace eiabench::analysis {
namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.substr(s.size() - suffix.size()) == suffix;
}

constexpr std::array<std::string_view, 8> kHigherIsBetter = {
    "records",
    "records_per_s",
    "records_per_request",
    "page_fill",
    "completeness",
    "efficiency",
    "connection_reuse_ratio",
    "projected_records_per_hour"};

constexpr std::array<std::string_view, 14> kLowerIsBetter = {
    "duration_s",
    "http_429",
    "http_403",
    "http_4xx",
    "http_5xx",
    "transport_errors",
    "retries",
    "failed_pages",
    "backoff_s",
    "connections_opened",
    "connect_mean_us",
    "tls_mean_us",
    "projected_full_history_hours",
    "time_backoff_s"};

}  // namespace

Direction MetricDirection(std::string_view metric) {
  for (auto name : kHigherIsBetter) {
    if (metric == name) return Direction::kHigherIsBetter;
  }
  for (auto name : kLowerIsBetter) {
    if (metric == name) return Direction::kLowerIsBetter;
  }
  // Families: every latency figure and every part of the time budget.
  if ((StartsWith(metric, "latency_") ||
       StartsWith(metric, "intended_latency_")) &&
      EndsWith(metric, "_us")) {
    return Direction::kLowerIsBetter;
  }
  if (StartsWith(metric, "time_") && EndsWith(metric, "_s")) {
    return Direction::kLowerIsBetter;
  }
  return Direction::kNeutral;
}

std::string_view DirectionName(Direction direction) {
  switch (direction) {
    case Direction::kHigherIsBetter:
      return "higher";
    case Direction::kLowerIsBetter:
      return "lower";
    case Direction::kNeutral:
      break;
  }
  return "neutral";
}

double DefaultThresholdPct(std::string_view metric) {
  if (EndsWith(metric, "_p99_us") || EndsWith(metric, "_p999_us") ||
      EndsWith(metric, "_max_us")) {
    return 25;
  }
  if (EndsWith(metric, "_us")) return 15;
  return 10;
}

std::vector<std::string> DefaultCompareMetrics() {
  return {"records_per_s", "requests_per_hour", "records_per_request",
          "completeness",  "latency_p99_us",    "http_429"};
}

std::vector<std::string> DefaultTableMetrics() {
  return {"records_per_s",  "requests_per_s", "records_per_request",
          "completeness",   "duration_s",     "latency_p50_us",
          "latency_p99_us", "http_429",       "peak_in_flight"};
}

double WorseningFraction(Direction direction, double before, double after) {
  double change = RelativeChange(before, after);
  switch (direction) {
    case Direction::kHigherIsBetter:
      return -change;
    case Direction::kLowerIsBetter:
      return change;
    case Direction::kNeutral:
      break;
  }
  return 0;
}

}  // namespace eiabench::analysis
