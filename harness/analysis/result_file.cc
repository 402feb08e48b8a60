#include "harness/analysis/result_file.h"

#include <fmt/core.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "harness/analysis/stats.h"

namespace eiabench::analysis {
namespace {

using nlohmann::json;

// Numbers are normalised so that 45 and 45.0 match; everything else keeps
// its JSON text. nlohmann's object type keeps keys sorted.
json NormaliseParams(const json& value) {
  if (value.is_number()) return json(value.get<double>());
  if (value.is_object()) {
    json out = json::object();
    for (auto& [k, v] : value.items()) out[k] = NormaliseParams(v);
    return out;
  }
  if (value.is_array()) {
    json out = json::array();
    for (const auto& v : value) out.push_back(NormaliseParams(v));
    return out;
  }
  return value;
}

Repetition ParseRepetition(const json& object, int position) {
  Repetition rep;
  rep.rep = static_cast<int>(JsonNumber(object, "rep", position));
  rep.status = JsonString(object, "status", "ok");
  rep.compliant = JsonBool(object, "compliant", true);
  auto metrics = object.find("metrics");
  if (metrics != object.end() && metrics->is_object()) {
    // A metric that does not apply is absent; anything not a number is
    // ignored rather than trusted.
    for (auto& [name, value] : metrics->items()) {
      if (value.is_number()) rep.metrics[name] = value.get<double>();
    }
  }
  rep.raw = object;
  return rep;
}

std::optional<std::string> ParseCell(const json& object, int position,
                                     Cell& cell) {
  if (!object.is_object()) {
    return fmt::format("cells[{}] is not an object", position);
  }
  cell.index = static_cast<int>(JsonNumber(object, "index", position));
  cell.params = JsonObject(object, "params");
  cell.key = CanonicalParamsKey(cell.params);
  cell.id = JsonString(object, "id", cell.key);
  auto reps = object.find("repetitions");
  if (reps == object.end() || !reps->is_array()) {
    return fmt::format("cells[{}].repetitions is missing", position);
  }
  int rep_position = 0;
  for (const auto& rep : *reps) {
    if (!rep.is_object()) {
      return fmt::format("cells[{}].repetitions[{}] is not an object", position,
                         rep_position);
    }
    cell.repetitions.push_back(ParseRepetition(rep, rep_position++));
  }
  bool all_reps_compliant =
      std::all_of(cell.repetitions.begin(), cell.repetitions.end(),
                  [](const Repetition& r) { return r.compliant; });
  cell.compliant = JsonBool(object, "compliant", true) && all_reps_compliant;
  return std::nullopt;
}

}  // namespace

std::string JsonString(const json& object, const char* key,
                       const std::string& fallback) {
  if (!object.is_object()) return fallback;
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return fallback;
  return it->get<std::string>();
}

double JsonNumber(const json& object, const char* key, double fallback) {
  if (!object.is_object()) return fallback;
  auto it = object.find(key);
  if (it == object.end() || !it->is_number()) return fallback;
  return it->get<double>();
}

bool JsonBool(const json& object, const char* key, bool fallback) {
  if (!object.is_object()) return fallback;
  auto it = object.find(key);
  if (it == object.end() || !it->is_boolean()) return fallback;
  return it->get<bool>();
}

json JsonObject(const json& object, const char* key) {
  if (!object.is_object()) return json::object();
  auto it = object.find(key);
  if (it == object.end() || !it->is_object()) return json::object();
  return *it;
}

std::string CanonicalParamsKey(const nlohmann::json& params) {
  return NormaliseParams(params).dump();
}

std::vector<double> Cell::Values(const std::string& metric) const {
  std::vector<double> values;
  for (const auto& rep : repetitions) {
    if (rep.status != "ok") continue;
    auto it = rep.metrics.find(metric);
    if (it != rep.metrics.end()) values.push_back(it->second);
  }
  return values;
}

std::optional<double> Cell::Median(const std::string& metric) const {
  auto values = Values(metric);
  if (values.empty()) return std::nullopt;
  return analysis::Median(values);
}

int Cell::OkRepetitions() const {
  return static_cast<int>(
      std::count_if(repetitions.begin(), repetitions.end(),
                    [](const Repetition& r) { return r.status == "ok"; }));
}

std::vector<std::string> ResultFile::MetricNames() const {
  std::set<std::string> names;
  for (const auto& cell : cells) {
    for (const auto& rep : cell.repetitions) {
      for (const auto& [name, value] : rep.metrics) names.insert(name);
    }
  }
  return {names.begin(), names.end()};
}

LoadedResult ParseResultFile(const std::string& text, const std::string& path) {
  LoadedResult result;
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    result.error = fmt::format("{}: not a JSON object", path);
    return result;
  }
  auto version = doc.find("schema_version");
  if (version == doc.end() || !version->is_number_integer()) {
    result.error = fmt::format("{}: schema_version is missing", path);
    return result;
  }
  if (version->get<int>() != kSchemaVersion) {
    result.error =
        fmt::format("{}: schema_version {} is not supported (expected {})",
                    path, version->get<int>(), kSchemaVersion);
    return result;
  }
  std::string kind = JsonString(doc, "kind", "eiabench.run");
  if (kind != "eiabench.run") {
    result.error =
        fmt::format("{}: kind \"{}\" is not eiabench.run", path, kind);
    return result;
  }
  auto cells = doc.find("cells");
  if (cells == doc.end() || !cells->is_array()) {
    result.error = fmt::format("{}: cells is missing", path);
    return result;
  }

  ResultFile file;
  file.path = path;
  file.label = std::filesystem::path(path).stem().string();
  file.context = JsonObject(doc, "context");
  file.scenario = JsonObject(doc, "scenario");
  file.target = JsonObject(doc, "target");
  file.partial = JsonBool(doc, "partial", false);
  file.scenario_hash = JsonString(doc, "scenario_hash", "");
  file.scenario_name = JsonString(file.scenario, "name", file.label);
  file.clock_mode = JsonString(file.context, "clock_mode", "real");
  file.target_kind = JsonString(file.target, "kind", "");
  int position = 0;
  for (const auto& cell_json : *cells) {
    Cell cell;
    if (auto error = ParseCell(cell_json, position++, cell)) {
      result.error = fmt::format("{}: {}", path, *error);
      return result;
    }
    file.cells.push_back(std::move(cell));
  }
  result.file = std::move(file);
  return result;
}

LoadedResult LoadResultFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return {std::nullopt, fmt::format("{}: cannot read the file", path)};
  }
  std::ostringstream text;
  text << in.rdbuf();
  return ParseResultFile(text.str(), path);
}

LoadedResults LoadResultFiles(const std::vector<std::string>& paths) {
  LoadedResults results;
  std::map<std::string, int> seen;
  for (const auto& path : paths) {
    LoadedResult loaded = LoadResultFile(path);
    if (!loaded.file) return {{}, loaded.error};
    int count = ++seen[loaded.file->label];
    if (count > 1) loaded.file->label += fmt::format("#{}", count);
    results.files.push_back(std::move(*loaded.file));
  }
  return results;
}

}  // namespace eiabench::analysis
