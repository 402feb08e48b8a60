// Planning: (route, facets, range) -> hour-exact batches -> page URLs.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "harness/client/extractor.h"
#include "harness/client/period.h"

namespace eiabench {
namespace {

constexpr int kApiMaxLength = 5000;

bool IsDaily(const ExtractOptions& o) { return o.frequency == "daily"; }

std::string PercentEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

uint64_t Fnv(std::string_view s, uint64_t h = 0xcbf29ce484222325ULL) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

// Seed batches: inclusive calendar dates [d, d+N-1] sent date-only; the
// API returns hours d T00 .. (d+N-1) T00.
void PlanDateOnly(const ExtractOptions& o, int64_t first_day, int64_t last_day,
                  Plan* plan) {
  for (int64_t d = first_day; d <= last_day; d += o.days_per_batch) {
    int64_t end_day = std::min(d + o.days_per_batch - 1, last_day);
    PlannedBatch b;
    b.index = static_cast<uint32_t>(plan->batches.size());
    b.first_period = d * 24;
    b.last_period = end_day * 24;
    b.start_param = FormatDay(d);
    b.end_param = FormatDay(end_day);
    plan->batches.push_back(std::move(b));
  }
}

void PlanSpans(const ExtractOptions& o, int64_t first, int64_t last,
               int64_t span, Plan* plan) {
  for (int64_t p = first; p <= last; p += span) {
    PlannedBatch b;
    b.index = static_cast<uint32_t>(plan->batches.size());
    b.first_period = p;
    b.last_period = std::min(p + span - 1, last);
    b.start_param =
        IsDaily(o) ? FormatDay(b.first_period) : FormatHour(b.first_period);
    b.end_param =
        IsDaily(o) ? FormatDay(b.last_period) : FormatHour(b.last_period);
    plan->batches.push_back(std::move(b));
  }
}

std::string Fingerprint(const ExtractOptions& o, const Plan& plan) {
  std::string s = o.route + "|" + o.frequency + "|";
  for (const auto& [id, values] : o.facets) {
    s += id + "=";
    for (const auto& v : values) s += v + ",";
    s += ";";
  }
  for (const auto& d : o.data_columns) s += d + ",";
  s +=
      "|" + std::to_string(o.request_length) + "|" + std::to_string(o.paginate);
  uint64_t h = Fnv(s);
  for (const auto& b : plan.batches) h = Fnv(b.start_param + b.end_param, h);
  return "v1-" + std::to_string(plan.batches.size()) + "-" + ChecksumHex(h);
}

}  // namespace

double ComplianceSafeRate(double limit_per_hour, int burst) {
  return std::max(1.0, std::floor(limit_per_hour) - std::max(burst, 1) + 1);
}

std::optional<std::string> ValidateOptions(const ExtractOptions& o) {
  auto bad = [](const std::string& field, const std::string& why) {
    return std::optional<std::string>(field + ": " + why);
  };
  if (o.route.empty() || o.route.front() == '/' || o.route.back() == '/')
    return bad("route", "must be like electricity/rto/region-data");
  if (o.base_url.empty() || o.base_url.back() == '/')
    return bad("base_url", "must be non-empty without a trailing slash");
  if (o.frequency != "hourly" && o.frequency != "daily")
    return bad("frequency", "'" + o.frequency + "' (hourly or daily)");
  if (o.days_per_batch < 1) return bad("days_per_batch", "must be >= 1");
  if (o.request_length < 1) return bad("request_length", "must be >= 1");
  if (o.max_concurrent_batches < 1)
    return bad("max_concurrent_batches", "must be >= 1");
  if (o.delay_between_operations_s < 0 || o.max_operations_per_second < 0 ||
      o.requests_per_hour < 0 || o.pre_request_sleep_s < 0)
    return bad("pacing", "delays and rates must be >= 0");
  if (o.burst < 1) return bad("burst", "must be >= 1");
  if (o.pool_maxsize < 1) return bad("pool_maxsize", "must be >= 1");
  if (o.max_host_connections < 0)
    return bad("max_host_connections", "must be >= 0");
  if (o.pool_connections < 1) return bad("pool_connections", "must be >= 1");
  if (o.connect_timeout_s <= 0 || o.timeout_s < 0)
    return bad("timeouts", "connect_timeout_s > 0, timeout_s >= 0");
  if (o.max_attempts < 1) return bad("max_attempts", "must be >= 1");
  if (o.backoff_base_s < 0 || o.backoff_max_s < o.backoff_base_s)
    return bad("backoff", "need 0 <= backoff_base_s <= backoff_max_s");
  if (o.batch_end == BatchEnd::kDateOnly && IsDaily(o))
    return bad("batch_end", "date_only applies to hourly routes");
  for (const auto& [id, values] : o.facets) {
    if (id.empty() || values.empty())
      return bad("facet", "'" + id + "' needs an id and values");
  }
  return std::nullopt;
}

PlanResult MakePlan(const ExtractOptions& o, uint64_t series_per_period) {
  PlanResult r;
  std::optional<int64_t> first, last;
  if (IsDaily(o)) {
    first = ParseDay(o.start);
    last = ParseDay(o.end);
  } else {
    first = ParseHour(o.start, /*is_end=*/false);
    last = ParseHour(o.end, /*is_end=*/true);
  }
  if (!first) return {{}, "start: cannot parse '" + o.start + "'"};
  if (!last) return {{}, "end: cannot parse '" + o.end + "'"};
  if (*last < *first) return {{}, "end is before start"};

  if (o.batch_end == BatchEnd::kDateOnly) {
    PlanDateOnly(o, *first / 24, *last / 24, &r.plan);
  } else if (o.planning == PlanningMode::kFill) {
    if (series_per_period == 0)
      return {{}, "fill planning needs the series count (got 0)"};
    uint64_t page = std::min(o.request_length, kApiMaxLength);
    int64_t span =
        static_cast<int64_t>(std::max<uint64_t>(1, page / series_per_period));
    PlanSpans(o, *first, *last, span, &r.plan);
  } else {
    int64_t span =
        static_cast<int64_t>(o.days_per_batch) * (IsDaily(o) ? 1 : 24);
    PlanSpans(o, *first, *last, span, &r.plan);
  }
  r.plan.series_per_period = series_per_period;
  r.plan.fingerprint = Fingerprint(o, r.plan);
  return r;
}

int64_t PeriodsCovered(const Plan& plan) {
  int64_t n = 0;
  for (const auto& b : plan.batches) n += b.last_period - b.first_period + 1;
  return n;
}

uint64_t PagesForRows(uint64_t rows, const ExtractOptions& o) {
  if (!o.paginate || rows == 0) return 1;
  uint64_t page =
      static_cast<uint64_t>(std::min(o.request_length, kApiMaxLength));
  return (rows + page - 1) / page;
}

std::string BuildPageUrl(const ExtractOptions& o, const PlannedBatch& b,
                         uint64_t offset, uint64_t length) {
  std::string url = o.base_url + "/" + o.route +
                    "/data/?frequency=" + PercentEncode(o.frequency);
  for (size_t i = 0; i < o.data_columns.size(); ++i) {
    url +=
        "&data[" + std::to_string(i) + "]=" + PercentEncode(o.data_columns[i]);
  }
  for (const auto& [id, values] : o.facets) {
    for (const auto& v : values) {
      url += "&facets[" + PercentEncode(id) + "][]=" + PercentEncode(v);
    }
  }
  url += "&start=" + PercentEncode(b.start_param) +
         "&end=" + PercentEncode(b.end_param);
  // A total order makes offset paging stable: period, then every facet.
  url += "&sort[0][column]=period&sort[0][direction]=asc";
  int i = 1;
  for (const auto& [id, values] : o.facets) {
    url += "&sort[" + std::to_string(i) + "][column]=" + PercentEncode(id) +
           "&sort[" + std::to_string(i) + "][direction]=asc";
    ++i;
  }
  url +=
      "&offset=" + std::to_string(offset) + "&length=" + std::to_string(length);
  return url;
}

}  // namespace eiabench
