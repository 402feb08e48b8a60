#include "harness/experiment/cell_options.h"

namespace eiabench::experiment {

namespace {

template <typename T>
void Set(const Json& settings, const char* key, T* field) {
  if (settings.contains(key)) *field = settings[key].get<T>();
}

void ApplyWorkload(const Json& w, ExtractOptions* o) {
  o->route = w["route"].get<std::string>();
  o->frequency = w["frequency"].get<std::string>();
  o->start = w["start"].get<std::string>();
  o->end = w["end"].get<std::string>();
  o->facets.clear();
  std::vector<std::string> respondents;
  for (const Json& r : w["respondents"]) respondents.push_back(r);
  bool all = respondents.size() == 1 && respondents[0] == "*";
  if (!all) o->facets.push_back({"respondent", respondents});
}

// The seed's client (SEED_FINDINGS §1-2): a blocking sleep before every
// GET, one GET per batch, date-only batch ends, calls that never overlap,
// the seed's limiter, urllib3's Retry(total=2) and a 20 s timeout.
void ApplySeedMode(const Json& s, ExtractOptions* o) {
  o->pre_request_sleep_s = s.value("seed_sleep_s", kSeedSleepDefaultS);
  o->paginate = false;
  o->batch_end = BatchEnd::kDateOnly;
  o->serial_requests = true;
  o->seed_limiter = true;
  o->request_length = 5000;
  o->max_attempts = 3;
  o->backoff_base_s = 0.3;
  o->connect_timeout_s = 20;
  o->timeout_s = 20;
  o->pool_connections = 25;
  o->pool_maxsize = 60;
}

void ApplyChoices(const Json& s, ExtractOptions* o) {
  if (s.contains("planning"))
    o->planning =
        s["planning"] == "fill" ? PlanningMode::kFill : PlanningMode::kDays;
  if (s.contains("batch_end"))
    o->batch_end = s["batch_end"] == "date_only" ? BatchEnd::kDateOnly
                                                 : BatchEnd::kExclusiveHour;
  if (s.contains("http_version"))
    o->http_version =
        s["http_version"] == "2" ? HttpVersion::kHttp2 : HttpVersion::kHttp1_1;
  if (s.contains("compression")) {
    std::string c = s["compression"];
    o->compression = c == "gzip" ? Compression::kGzip
                     : c == "br" ? Compression::kBr
                                 : Compression::kNone;
  }
}

void ApplySettings(const Json& s, ExtractOptions* o) {
  Set(s, "days_per_batch", &o->days_per_batch);
  Set(s, "request_length", &o->request_length);
  Set(s, "paginate", &o->paginate);
  Set(s, "max_concurrent_batches", &o->max_concurrent_batches);
  Set(s, "serial_requests", &o->serial_requests);
  Set(s, "delay_between_operations_s", &o->delay_between_operations_s);
  Set(s, "max_operations_per_second", &o->max_operations_per_second);
  Set(s, "requests_per_hour", &o->requests_per_hour);
  Set(s, "burst", &o->burst);
  Set(s, "pre_request_sleep_s", &o->pre_request_sleep_s);
  Set(s, "seed_limiter", &o->seed_limiter);
  Set(s, "pool_maxsize", &o->pool_maxsize);
  Set(s, "max_host_connections", &o->max_host_connections);
  Set(s, "pool_connections", &o->pool_connections);
  Set(s, "keep_alive", &o->keep_alive);
  Set(s, "connect_timeout_s", &o->connect_timeout_s);
  Set(s, "timeout_s", &o->timeout_s);
  Set(s, "user_agent", &o->user_agent);
  Set(s, "max_attempts", &o->max_attempts);
  Set(s, "backoff_base_s", &o->backoff_base_s);
  Set(s, "backoff_max_s", &o->backoff_max_s);
  ApplyChoices(s, o);
}

}  // namespace

bool CellOptions(const Cell& cell, const std::string& base_url,
                 ExtractOptions* options, std::string* error) {
  ExtractOptions o;
  o.base_url = base_url;
  ApplyWorkload(cell.workload, &o);
  if (cell.settings.value("client_mode", "honest") == "seed")
    ApplySeedMode(cell.settings, &o);
  ApplySettings(cell.settings, &o);
  if (auto problem = ValidateOptions(o)) {
    *error = *problem;
    return false;
  }
  *options = std::move(o);
  return true;
}

Json OptionsToJson(const ExtractOptions& o, const Cell& cell) {
  Json j;
  j["client_mode"] = cell.settings.value("client_mode", "honest");
  j["route"] = o.route;
  j["frequency"] = o.frequency;
  j["start"] = o.start;
  j["end"] = o.end;
  j["passes"] = cell.workload.value("passes", 1);
  j["planning"] = o.planning == PlanningMode::kFill ? "fill" : "days";
  j["days_per_batch"] = o.days_per_batch;
  j["request_length"] = o.request_length;
  j["paginate"] = o.paginate;
  j["batch_end"] =
      o.batch_end == BatchEnd::kDateOnly ? "date_only" : "exclusive_hour";
  j["max_concurrent_batches"] = o.max_concurrent_batches;
  j["serial_requests"] = o.serial_requests;
  j["delay_between_operations_s"] = o.delay_between_operations_s;
  j["max_operations_per_second"] = o.max_operations_per_second;
  j["requests_per_hour"] = o.requests_per_hour;
  j["burst"] = o.burst;
  j["pre_request_sleep_s"] = o.pre_request_sleep_s;
  j["seed_limiter"] = o.seed_limiter;
  j["pool_maxsize"] = o.pool_maxsize;
  j["max_host_connections"] = o.max_host_connections;
  j["pool_connections"] = o.pool_connections;
  j["http_version"] = o.http_version == HttpVersion::kHttp2 ? "2" : "1.1";
  j["keep_alive"] = o.keep_alive;
  j["compression"] = o.compression == Compression::kGzip ? "gzip"
                     : o.compression == Compression::kBr ? "br"
                                                         : "none";
  j["connect_timeout_s"] = o.connect_timeout_s;
  j["timeout_s"] = o.timeout_s;
  j["user_agent"] = o.user_agent;
  j["max_attempts"] = o.max_attempts;
  j["backoff_base_s"] = o.backoff_base_s;
  j["backoff_max_s"] = o.backoff_max_s;
  // The runner gives a seed client a scratch directory per repetition.
  j["raw_json_round_trip"] = j["client_mode"] == "seed";
  return j;
}

}  // namespace eiabench::experiment
