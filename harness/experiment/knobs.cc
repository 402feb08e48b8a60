#include "harness/experiment/knobs.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <regex>

namespace eiabench::experiment {

namespace {

enum class Kind { kInt, kNumber, kBool, kString, kChoice, kDate, kStrings };

struct Knob {
  const char* name;
  Kind kind;
  double min = 0;
  double max = 1e12;
  std::vector<std::string> choices = {};
};

const std::vector<Knob>& SettingsKnobs() {
  static const std::vector<Knob> knobs = {
      {"client_mode", Kind::kChoice, 0, 0, {"honest", "seed"}},
      {"seed_sleep_s", Kind::kNumber, 0, 60},
      {"planning", Kind::kChoice, 0, 0, {"days", "fill"}},
      {"days_per_batch", Kind::kInt, 1, 100000},
      {"request_length", Kind::kInt, 1, 100000},
      {"paginate", Kind::kBool},
      {"batch_end", Kind::kChoice, 0, 0, {"exclusive_hour", "date_only"}},
      {"max_concurrent_batches", Kind::kInt, 1, 1024},
      {"serial_requests", Kind::kBool},
      {"delay_between_operations_s", Kind::kNumber, 0, 3600},
      {"max_operations_per_second", Kind::kNumber, 0, 1e6},
      {"requests_per_hour", Kind::kNumber, 0, 1e9},
      {"burst", Kind::kInt, 1, 1000000},
      {"pre_request_sleep_s", Kind::kNumber, 0, 60},
      {"seed_limiter", Kind::kBool},
      {"pool_maxsize", Kind::kInt, 1, 10000},
      {"max_host_connections", Kind::kInt, 0, 10000},
      {"pool_connections", Kind::kInt, 1, 10000},
      {"http_version", Kind::kChoice, 0, 0, {"1.1", "2"}},
      {"keep_alive", Kind::kBool},
      {"compression", Kind::kChoice, 0, 0, {"none", "gzip", "br"}},
      {"connect_timeout_s", Kind::kNumber, 0.001, 3600},
      {"timeout_s", Kind::kNumber, 0, 36000},
      {"user_agent", Kind::kString},
      {"max_attempts", Kind::kInt, 1, 100},
      {"backoff_base_s", Kind::kNumber, 0, 3600},
      {"backoff_max_s", Kind::kNumber, 0, 36000},
      // N local worker processes sharing one Redis rate budget (mock
      // target only; 1 = the single-process pipeline).
      {"workers", Kind::kInt, 1, 64},
  };
  return knobs;
}

const std::vector<Knob>& WorkloadKnobs() {
  static const std::vector<Knob> knobs = {
      {"route", Kind::kString},
      {"frequency", Kind::kChoice, 0, 0, {"hourly", "daily"}},
      {"respondents", Kind::kStrings},
      {"start", Kind::kDate},
      {"end", Kind::kDate},
      {"passes", Kind::kInt, 1, 100},
  };
  return knobs;
}

const std::vector<Knob>& MockKnobs() {
  static const std::vector<Knob> knobs = {
      {"profile", Kind::kChoice, 0, 0, {"instant", "eia"}},
      {"latency_base_s", Kind::kNumber, 0, 600},
      {"latency_per_row_us", Kind::kNumber, 0, 1e6},
      {"latency_jitter_s", Kind::kNumber, 0, 600},
      {"new_connection_s", Kind::kNumber, 0, 600},
      {"fault_rate", Kind::kNumber, 0, 1},
      {"rate_limit_per_hour", Kind::kInt, 0, 1000000000},
  };
  return knobs;
}

const std::vector<Knob>& KnobsOf(Section section) {
  switch (section) {
    case Section::kWorkload:
      return WorkloadKnobs();
    case Section::kMock:
      return MockKnobs();
    default:
      return SettingsKnobs();
  }
}

const Knob* FindKnob(Section section, const std::string& name) {
  for (const Knob& k : KnobsOf(section))
    if (name == k.name) return &k;
  return nullptr;
}

std::string Range(const Knob& k) {
  return fmt::format("in [{}, {}]", k.min, k.max);
}

bool CheckNumber(const Knob& k, const Json& v, bool integer,
                 std::string* message) {
  bool ok = integer ? v.is_number_integer() : v.is_number();
  if (ok) {
    double d = v.get<double>();
    ok = std::isfinite(d) && d >= k.min && d <= k.max;
  }
  if (!ok)
    *message =
        fmt::format("must be {} {}, got {}",
                    integer ? "an integer" : "a number", Range(k), v.dump());
  return ok;
}

bool CheckChoice(const Knob& k, const Json& v, std::string* message) {
  if (v.is_string() &&
      std::count(k.choices.begin(), k.choices.end(), v.get<std::string>()))
    return true;
  std::string list;
  for (const auto& c : k.choices) list += (list.empty() ? "" : "|") + c;
  *message = fmt::format("must be one of {}, got {}", list, v.dump());
  return false;
}

bool CheckDate(const Json& v, std::string* message) {
  static const std::regex kDate(
      R"(\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(T([01]\d|2[0-3]))?)");
  if (v.is_string() && std::regex_match(v.get<std::string>(), kDate))
    return true;
  *message = "must be a date YYYY-MM-DD or YYYY-MM-DDTHH, got " + v.dump();
  return false;
}

bool CheckStrings(const Json& v, std::string* message) {
  bool ok = v.is_array() && !v.empty();
  for (const Json& s : v)
    ok = ok && s.is_string() && !s.get<std::string>().empty();
  if (!ok)
    *message =
        "must be a non-empty array of names ([\"*\"] for all), got " + v.dump();
  return ok;
}

}  // namespace

bool ResolveKnobPath(const std::string& name, Section* section,
                     std::string* knob) {
  auto try_prefix = [&](const char* prefix, Section s) {
    std::string p = prefix;
    if (name.rfind(p, 0) != 0) return false;
    *section = s;
    *knob = name.substr(p.size());
    return FindKnob(s, *knob) != nullptr;
  };
  if (name.find('.') != std::string::npos)
    return try_prefix("workload.", Section::kWorkload) ||
           try_prefix("mock.", Section::kMock);
  *section = Section::kSettings;
  *knob = name;
  return FindKnob(Section::kSettings, name) != nullptr;
}

bool ValidateKnob(Section section, const std::string& knob, const Json& value,
                  std::string* message) {
  const Knob* k = FindKnob(section, knob);
  if (!k) {
    *message = "unknown key";
    return false;
  }
  switch (k->kind) {
    case Kind::kInt:
      return CheckNumber(*k, value, true, message);
    case Kind::kNumber:
      return CheckNumber(*k, value, false, message);
    case Kind::kBool:
      if (value.is_boolean()) return true;
      *message = "must be true or false, got " + value.dump();
      return false;
    case Kind::kString:
      if (value.is_string() && !value.get<std::string>().empty()) return true;
      *message = "must be a non-empty string, got " + value.dump();
      return false;
    case Kind::kChoice:
      return CheckChoice(*k, value, message);
    case Kind::kDate:
      return CheckDate(value, message);
    case Kind::kStrings:
      return CheckStrings(value, message);
  }
  return false;
}

Json DefaultWorkload() {
  Json w;
  w["route"] = "electricity/rto/fuel-type-data";
  w["frequency"] = "hourly";
  w["respondents"] = Json::array({"PACW"});
  w["start"] = "2024-01-01";
  w["end"] = "2024-04-01";
  w["passes"] = 1;
  return w;
}

Json DefaultMock() {
  Json m;
  m["profile"] = "instant";
  return m;
}

}  // namespace eiabench::experiment
