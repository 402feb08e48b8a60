#include "harness/scaleout/job_spec.h"

#include <nlohmann/json.hpp>

#include "harness/common/exit_codes.h"

namespace eiabench::scaleout {
namespace {

using nlohmann::json;

json LimiterToJson(const LimiterConfig& l) {
  json windows = json::array();
  for (const LimitWindow& w : l.windows) {
    windows.push_back({{"limit", w.limit}, {"window_ms", w.window.count()}});
  }
  return {{"name", l.name},
          {"windows", windows},
          {"time_scale", l.time_scale},
          {"margin_ms", l.margin.count()}};
}

LimiterConfig LimiterFromJson(const json& j) {
  LimiterConfig l;
  l.name = j.at("name").get<std::string>();
  for (const json& w : j.at("windows")) {
    l.windows.push_back(
        {w.at("limit").get<uint64_t>(),
         std::chrono::milliseconds(w.at("window_ms").get<int64_t>())});
  }
  l.time_scale = j.at("time_scale").get<double>();
  l.margin = std::chrono::milliseconds(j.at("margin_ms").get<int64_t>());
  return l;
}

json BatchToJson(const PlannedBatch& b) {
  return {{"index", b.index},
          {"first", b.first_period},
          {"last", b.last_period},
          {"start", b.start_param},
          {"end", b.end_param}};
}

}  // namespace

std::string SpecToJson(const JobSpec& spec) {
  const ExtractOptions& o = spec.extract;
  json facets = json::array();
  for (const auto& [id, values] : o.facets) {
    facets.push_back({{"id", id}, {"values", values}});
  }
  json j = {
      {"schema", 1},
      {"base_url", o.base_url},
      {"route", o.route},
      {"facets", facets},
      {"start", o.start},
      {"end", o.end},
      {"frequency", o.frequency},
      {"data_columns", o.data_columns},
      {"days_per_batch", o.days_per_batch},
      {"request_length", o.request_length},
      {"key_in_header", o.key_placement == KeyPlacement::kHeader},
      {"max_attempts", o.max_attempts},
      {"backoff_base_s", o.backoff_base_s},
      {"backoff_max_s", o.backoff_max_s},
      {"connect_timeout_s", o.connect_timeout_s},
      {"timeout_s", o.timeout_s},
      {"limiter", LimiterToJson(spec.limiter)},
      {"lease_ms", spec.lease.count()},
  };
  return j.dump();
}

std::optional<JobSpec> SpecFromJson(const std::string& text,
                                    std::string* error) {
  try {
    json j = json::parse(text);
    JobSpec spec;
    ExtractOptions& o = spec.extract;
    o.base_url = j.at("base_url").get<std::string>();
    o.route = j.at("route").get<std::string>();
    for (const json& f : j.at("facets")) {
      o.facets.emplace_back(f.at("id").get<std::string>(),
                            f.at("values").get<std::vector<std::string>>());
    }
    o.start = j.at("start").get<std::string>();
    o.end = j.at("end").get<std::string>();
    o.frequency = j.at("frequency").get<std::string>();
    o.data_columns = j.at("data_columns").get<std::vector<std::string>>();
    o.days_per_batch = j.at("days_per_batch").get<int>();
    o.request_length = j.at("request_length").get<int>();
    o.key_placement = j.at("key_in_header").get<bool>() ? KeyPlacement::kHeader
                                                        : KeyPlacement::kQuery;
    o.max_attempts = j.at("max_attempts").get<int>();
    o.backoff_base_s = j.at("backoff_base_s").get<double>();
    o.backoff_max_s = j.at("backoff_max_s").get<double>();
    o.connect_timeout_s = j.at("connect_timeout_s").get<double>();
    o.timeout_s = j.at("timeout_s").get<double>();
    spec.limiter = LimiterFromJson(j.at("limiter"));
    spec.lease = std::chrono::milliseconds(j.at("lease_ms").get<int64_t>());
    return spec;
  } catch (const std::exception& e) {
    *error = std::string("malformed job spec in Redis: ") + e.what();
    return std::nullopt;
  }
}

std::string PageTaskToJson(const PageTask& t) {
  json j = {{"page", t.page_id},
            {"batch", BatchToJson(t.batch)},
            {"offset", t.offset},
            {"length", t.length}};
  return j.dump();
}

std::optional<PageTask> PageTaskFromJson(const std::string& text,
                                         std::string* error) {
  try {
    json j = json::parse(text);
    PageTask t;
    t.page_id = j.at("page").get<uint64_t>();
    const json& b = j.at("batch");
    t.batch.index = b.at("index").get<uint32_t>();
    t.batch.first_period = b.at("first").get<int64_t>();
    t.batch.last_period = b.at("last").get<int64_t>();
    t.batch.start_param = b.at("start").get<std::string>();
    t.batch.end_param = b.at("end").get<std::string>();
    t.offset = j.at("offset").get<uint64_t>();
    t.length = j.at("length").get<uint64_t>();
    return t;
  } catch (const std::exception& e) {
    *error = std::string("malformed page in Redis: ") + e.what();
    return std::nullopt;
  }
}

PageEntry ToPageEntry(const PageTask& task) {
  return {std::to_string(task.page_id), PageTaskToJson(task)};
}

FirstPages PlanFirstPages(const JobSpec& spec) {
  FirstPages out;
  if (auto bad = ValidateOptions(spec.extract)) {
    out.error = *bad;
    return out;
  }
  PlanResult plan = MakePlan(spec.extract, 0);
  if (!plan.error.empty()) {
    out.error = plan.error;
    return out;
  }
  for (const PlannedBatch& b : plan.plan.batches) {
    PageTask t;
    t.page_id = MakePageId(b.index, 0);
    t.batch = b;
    t.offset = 0;
    t.length = static_cast<uint64_t>(spec.extract.request_length);
    out.pages.push_back(std::move(t));
  }
  return out;
}

JobSpec JobSpecFromExtract(const ExtractOptions& options) {
  JobSpec spec;
  spec.extract = options;
  spec.extract.api_key.clear();  // the key never goes to Redis
  if (options.requests_per_hour >= 1) {
    spec.limiter.windows.push_back(
        {static_cast<uint64_t>(options.requests_per_hour),
         std::chrono::hours(1)});
  }
  if (options.max_operations_per_second >= 1) {
    spec.limiter.windows.push_back(
        {static_cast<uint64_t>(options.max_operations_per_second),
         std::chrono::seconds(1)});
  }
  return spec;
}

std::optional<std::string> ValidateJobName(const std::string& job) {
  if (job.empty() || job.size() > 100) {
    return "--job must be 1 to 100 characters";
  }
  for (char c : job) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' &&
        c != '-') {
      return "--job may only hold letters, digits, '.', '_' and '-'";
    }
  }
  return std::nullopt;
}

PlanJobResult PlanJob(const RedisUrl& redis, const std::string& job,
                      const JobSpec& spec, const PlanJobOptions& options,
                      const RedisRetryPolicy& policy) {
  PlanJobResult out;
  if (auto bad = ValidateJobName(job)) {
    out.exit_code = kExitUsage;
    out.error = *bad;
    return out;
  }
  FirstPages first = PlanFirstPages(spec);
  if (!first.error.empty()) {
    out.exit_code = kExitUsage;
    out.error = first.error;
    return out;
  }
  out.batches = first.pages.size();
  std::vector<PageEntry> entries;
  entries.reserve(first.pages.size());
  for (const PageTask& t : first.pages) entries.push_back(ToPageEntry(t));

  RedisClient client(redis);
  JobQueue queue(client, job, policy);
  std::string error;
  if (options.reset && !queue.Delete(&error)) {
    out.exit_code = kExitEnvironment;
    out.error = error;
    return out;
  }
  auto outcome = queue.Plan(SpecToJson(spec), entries, &error);
  if (!outcome) {
    out.exit_code = kExitEnvironment;
    out.error = error;
    return out;
  }
  out.outcome = *outcome;
  if (*outcome == PlanOutcome::kConflict) {
    out.exit_code = kExitUsage;
    out.error = "job '" + job +
                "' already exists with a different spec (use --reset to "
                "replace it)";
    return out;
  }
  if (options.retry_failed) {
    auto n = queue.RequeueFailed(&error);
    if (!n) {
      out.exit_code = kExitEnvironment;
      out.error = error;
      return out;
    }
    out.requeued_failed = *n;
  }
  return out;
}

}  // namespace eiabench::scaleout
