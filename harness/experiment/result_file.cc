#include "harness/experiment/result_file.h"

#include <fmt/core.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "harness/experiment/stats.h"

namespace eiabench::experiment {

namespace fs = std::filesystem;

namespace {

Json OptionalNumber(const std::optional<double>& v) {
  return v ? Json(*v) : Json(nullptr);
}

Json ComplianceJson(const WindowCompliance& w) {
  Json j;
  j["window_s"] = w.rate_limit.window_s;
  j["limit"] = w.rate_limit.limit;
  j["max_count"] = w.max_count;
  j["headroom"] = w.headroom;
  j["compliant"] = w.compliant();
  j["first_violation_s"] = OptionalNumber(w.first_violation_s);
  j["fixed_window_max"] = w.fixed_window_max;
  j["server_max_count"] =
      w.server_max_count ? Json(*w.server_max_count) : Json(nullptr);
  return j;
}

}  // namespace

Json RepetitionJson(int rep, const std::string& status,
                    const std::string& invalid_reason,
                    const Recorder::Result& r) {
  Json j;
  j["rep"] = rep;
  j["status"] = status;
  j["invalid_reason"] =
      invalid_reason.empty() ? Json(nullptr) : Json(invalid_reason);
  j["bound_by"] = r.bound_by;
  j["metrics"] = r.metrics;
  j["compliance"] = Json::array();
  bool compliant = true;
  for (const auto& w : r.compliance) {
    j["compliance"].push_back(ComplianceJson(w));
    compliant = compliant && w.compliant();
  }
  j["compliant"] = compliant;
  j["latency_spectrum_us"] = r.latency_spectrum_us;
  if (!r.window_series.is_null()) j["window_series"] = r.window_series;
  return j;
}

Json AggregatesJson(const Json& repetitions, uint64_t seed) {
  bool any_ok = false;
  for (const Json& r : repetitions) any_ok |= r["status"] == "ok";
  // Metric name -> values, in the order the first repetition lists them.
  std::vector<std::string> names;
  std::map<std::string, std::vector<double>> values;
  for (const Json& r : repetitions) {
    if (any_ok && r["status"] != "ok") continue;
    for (auto it = r["metrics"].begin(); it != r["metrics"].end(); ++it) {
      if (!it.value().is_number()) continue;
      if (!values.count(it.key())) names.push_back(it.key());
      values[it.key()].push_back(it.value().get<double>());
    }
  }
  Json out = Json::object();
  for (const std::string& name : names) {
    Aggregate a = Summarize(values[name], seed);
    out[name] = {
        {"n", a.n},     {"median", a.median},     {"mean", a.mean},
        {"min", a.min}, {"max", a.max},           {"stddev", a.stddev},
        {"cv", a.cv},   {"ci95_low", a.ci95_low}, {"ci95_high", a.ci95_high}};
  }
  return out;
}

bool CellCompliant(const Json& repetitions) {
  for (const Json& r : repetitions)
    if (!r.value("compliant", true)) return false;
  return true;
}

bool WriteJsonFile(const std::string& path, const Json& doc,
                   std::string* error) {
  std::error_code ec;
  fs::path target(path);
  if (target.has_parent_path())
    fs::create_directories(target.parent_path(), ec);
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) {
      *error = "cannot write " + tmp;
      return false;
    }
    out << doc.dump(2) << '\n';
    if (!out.flush()) {
      *error = "cannot write " + tmp;
      return false;
    }
  }
  fs::rename(tmp, target, ec);
  if (ec) {
    *error = fmt::format("cannot rename {} to {}: {}", tmp, path, ec.message());
    return false;
  }
  return true;
}

std::optional<std::pair<std::string, Json>> FindPartialRun(
    const std::string& dir, const std::string& scenario,
    const std::string& target, const std::string& scenario_hash) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return std::nullopt;
  std::string prefix = scenario + "-" + target + "-";
  std::optional<std::pair<std::string, Json>> best;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0 || entry.path().extension() != ".json")
      continue;
    std::ifstream in(entry.path());
    Json doc = Json::parse(in, nullptr, false);
    if (doc.is_discarded() || !doc.value("partial", false) ||
        doc.value("scenario_hash", "") != scenario_hash)
      continue;
    // File names end in a UTC timestamp: the greatest is the newest.
    if (!best || entry.path().string() > best->first)
      best = std::make_pair(entry.path().string(), std::move(doc));
  }
  return best;
}

}  // namespace eiabench::experiment
