#include "harness/experiment/scenario.h"

#include <fmt/core.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <random>
#include <regex>
#include <sstream>

#include "harness/experiment/knobs.h"

namespace eiabench::experiment {

namespace {

using Error = ScenarioError;

// A value as JSON text for an error message: escaped (no raw newline can
// reach a log line), invalid UTF-8 replaced, at most 200 bytes.
std::string Show(const Json& v) {
  std::string text = v.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (text.size() > 200) text = text.substr(0, 200) + "...";
  return text;
}

bool Fail(Error* e, std::string path, std::string message) {
  e->path = std::move(path);
  e->message = std::move(message);
  return false;
}

const std::vector<std::string> kTopKeys = {
    "name",     "description", "target", "workload",           "mock",
    "settings", "matrix",      "limits", "repetitions",        "warmup",
    "order",    "time_scale",  "seed",   "require_compliance", "$schema"};

bool CheckKeys(const Json& obj, const std::vector<std::string>& allowed,
               const std::string& path, Error* e) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (std::find(allowed.begin(), allowed.end(), it.key()) == allowed.end())
      return Fail(e, path + "." + it.key(), "unknown key");
  }
  return true;
}

bool ReadInt(const Json& obj, const char* key, int64_t lo, int64_t hi,
             int64_t* out, Error* e) {
  if (!obj.contains(key)) return true;
  const Json& v = obj[key];
  if (!v.is_number_integer() || v.get<int64_t>() < lo || v.get<int64_t>() > hi)
    return Fail(
        e, fmt::format("$.{}", key),
        fmt::format("must be an integer in [{}, {}], got {}", lo, hi, Show(v)));
  *out = v.get<int64_t>();
  return true;
}

bool ParseLimits(const Json& root, Scenario* s, Error* e) {
  if (!root.contains("limits")) {
    s->limits = {RateLimit{3600, 5000}};
    return true;
  }
  const Json& arr = root["limits"];
  if (!arr.is_array() || arr.empty())
    return Fail(e, "$.limits", "must be a non-empty array, got " + Show(arr));
  for (size_t i = 0; i < arr.size(); ++i) {
    std::string path = fmt::format("$.limits[{}]", i);
    const Json& l = arr[i];
    if (!l.is_object()) return Fail(e, path, "must be an object");
    if (!CheckKeys(l, {"window_s", "limit"}, path, e)) return false;
    if (!l.contains("window_s") || !l["window_s"].is_number() ||
        l["window_s"].get<double>() <= 0)
      return Fail(
          e, path + ".window_s",
          "must be a number > 0, got " + Show(l.value("window_s", Json())));
    if (!l.contains("limit") || !l["limit"].is_number_integer() ||
        l["limit"].get<int64_t>() < 1)
      return Fail(
          e, path + ".limit",
          "must be an integer >= 1, got " + Show(l.value("limit", Json())));
    s->limits.push_back(
        RateLimit{l["window_s"].get<double>(), l["limit"].get<int64_t>()});
  }
  return true;
}

// Validates every key of a section (workload, mock or settings) against
// the knob table.
bool CheckSection(const Json& obj, Section section, const std::string& path,
                  Error* e) {
  if (!obj.is_object()) return Fail(e, path, "must be an object");
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    std::string message;
    if (!ValidateKnob(section, it.key(), it.value(), &message))
      return Fail(e, path + "." + it.key(), message);
  }
  return true;
}

bool ParseAxes(const Json& axes, Scenario* s, Error* e) {
  if (!axes.is_object()) return Fail(e, "$.matrix.axes", "must be an object");
  for (auto it = axes.begin(); it != axes.end(); ++it) {
    std::string path = "$.matrix.axes." + it.key();
    Section section;
    std::string knob;
    if (!ResolveKnobPath(it.key(), &section, &knob))
      return Fail(e, path, "unknown setting");
    if (!it.value().is_array() || it.value().empty())
      return Fail(e, path,
                  "must be a non-empty array, got " + Show(it.value()));
    std::vector<Json> values;
    for (size_t i = 0; i < it.value().size(); ++i) {
      std::string message;
      if (!ValidateKnob(section, knob, it.value()[i], &message))
        return Fail(e, fmt::format("{}[{}]", path, i), message);
      values.push_back(it.value()[i]);
    }
    s->matrix.axes.emplace_back(it.key(), std::move(values));
  }
  return true;
}

const std::vector<Json>* FindAxis(const Matrix& m, const std::string& name) {
  for (const auto& [axis, values] : m.axes)
    if (axis == name) return &values;
  return nullptr;
}

bool ParseZip(const Json& zip, Scenario* s, Error* e) {
  if (!zip.is_array()) return Fail(e, "$.matrix.zip", "must be an array");
  std::vector<std::string> used;
  for (size_t g = 0; g < zip.size(); ++g) {
    std::string path = fmt::format("$.matrix.zip[{}]", g);
    if (!zip[g].is_array() || zip[g].size() < 2)
      return Fail(e, path, "must list at least two axes, got " + Show(zip[g]));
    std::vector<std::string> group;
    size_t length = 0;
    for (size_t i = 0; i < zip[g].size(); ++i) {
      std::string ipath = fmt::format("{}[{}]", path, i);
      if (!zip[g][i].is_string()) return Fail(e, ipath, "must be a string");
      std::string name = zip[g][i].get<std::string>();
      const auto* values = FindAxis(s->matrix, name);
      if (!values) return Fail(e, ipath, "not an axis: " + Show(zip[g][i]));
      if (std::count(used.begin(), used.end(), name))
        return Fail(e, ipath, "axis already zipped: " + name);
      if (i > 0 && values->size() != length)
        return Fail(e, ipath,
                    fmt::format("axis {} has {} values, the group needs {}",
                                name, values->size(), length));
      length = values->size();
      used.push_back(name);
      group.push_back(name);
    }
    s->matrix.zip.push_back(group);
  }
  return true;
}

bool ParseExclude(const Json& exclude, Scenario* s, Error* e) {
  if (!exclude.is_array())
    return Fail(e, "$.matrix.exclude", "must be an array");
  for (size_t i = 0; i < exclude.size(); ++i) {
    std::string path = fmt::format("$.matrix.exclude[{}]", i);
    if (!exclude[i].is_object() || exclude[i].empty())
      return Fail(e, path, "must be a non-empty object of axis: value");
    for (auto it = exclude[i].begin(); it != exclude[i].end(); ++it) {
      if (!FindAxis(s->matrix, it.key()))
        return Fail(e, path + "." + it.key(), "not an axis");
    }
    s->matrix.exclude.push_back(exclude[i]);
  }
  return true;
}

// The most cells one scenario may expand to. Every shipped scenario has at
// most a few dozen; the bound keeps a typo (five axes of a hundred values)
// from expanding 10^10 cells until memory runs out.
constexpr double kMaxCells = 10000;

// Cells before exclusions: the product of the dimensions, where a zip group
// counts once, with the length of its axes.
double CellUpperBound(const Matrix& m) {
  double cells = 1;
  std::vector<std::string> zipped;
  for (const auto& group : m.zip) {
    if (group.empty()) continue;
    for (const auto& name : group) zipped.push_back(name);
    for (const auto& [axis, values] : m.axes) {
      if (axis == group.front()) cells *= static_cast<double>(values.size());
    }
  }
  for (const auto& [axis, values] : m.axes) {
    if (std::find(zipped.begin(), zipped.end(), axis) == zipped.end())
      cells *= static_cast<double>(values.size());
  }
  return cells;
}

bool ParseMatrix(const Json& root, Scenario* s, Error* e) {
  if (!root.contains("matrix")) return true;
  const Json& m = root["matrix"];
  if (!m.is_object()) return Fail(e, "$.matrix", "must be an object");
  if (!CheckKeys(m, {"axes", "zip", "exclude"}, "$.matrix", e)) return false;
  if (m.contains("axes") && !ParseAxes(m["axes"], s, e)) return false;
  if (m.contains("zip") && !ParseZip(m["zip"], s, e)) return false;
  if (m.contains("exclude") && !ParseExclude(m["exclude"], s, e)) return false;
  double cells = CellUpperBound(s->matrix);
  if (cells > kMaxCells)
    return Fail(e, "$.matrix",
                fmt::format("expands to {:.0f} cells; at most {:.0f} are "
                            "allowed",
                            cells, kMaxCells));
  return true;
}

// "YYYY-MM-DD" or "YYYY-MM-DDTHH" as the hour it stands for: a bare start
// date is its hour 00, a bare end date its hour 23.
std::string HourOf(const std::string& date, bool is_end) {
  if (date.size() == 10) return date + (is_end ? "T23" : "T00");
  return date;
}

// The workload's own consistency, beyond each field's type and range.
bool CheckWorkload(const Json& w, Error* e) {
  static const char* kRoutes[] = {"electricity/rto/region-data",
                                  "electricity/rto/fuel-type-data",
                                  "electricity/rto/region-sub-ba-data",
                                  "electricity/rto/interchange-data",
                                  "electricity/rto/daily-region-data",
                                  "electricity/rto/daily-fuel-type-data"};
  std::string route = w.value("route", "");
  bool known = false;
  for (const char* r : kRoutes) known = known || route == r;
  if (!known)
    return Fail(e, "$.workload.route",
                "unknown route " + Show(w["route"]) +
                    " (the electricity/rto/* data routes are supported)");
  if (w["start"].is_string() && w["end"].is_string()) {
    std::string start = w["start"], end = w["end"];
    if (HourOf(start, false) > HourOf(end, true))
      return Fail(e, "$.workload.start",
                  "is after workload.end (" + start + " > " + end + ")");
  }
  return true;
}

bool ParseStrings(const Json& root, Scenario* s, Error* e) {
  for (const char* key : {"name", "description", "target", "order"}) {
    if (root.contains(key) && !root[key].is_string())
      return Fail(e, fmt::format("$.{}", key),
                  "must be a string, got " + Show(root[key]));
  }
  if (!root.contains("name") || root["name"].get<std::string>().empty())
    return Fail(e, "$.name", "is required");
  s->name = root["name"];
  if (!std::regex_match(s->name, std::regex("[A-Za-z0-9._-]+")))
    return Fail(e, "$.name",
                "must match [A-Za-z0-9._-]+, got " + Show(Json(s->name)));
  s->description = root.value("description", "");
  s->target = root.value("target", "sim");
  if (s->target != "sim" && s->target != "mock" && s->target != "live")
    return Fail(e, "$.target",
                "must be sim, mock or live, got " + Show(Json(s->target)));
  s->order = root.value("order", "sequential");
  if (s->order != "sequential" && s->order != "interleaved" &&
      s->order != "random")
    return Fail(e, "$.order",
                "must be sequential, interleaved or random, got " +
                    Show(Json(s->order)));
  return true;
}

bool ParseNumbers(const Json& root, Scenario* s, Error* e) {
  int64_t reps = s->repetitions, warmup = s->warmup;
  int64_t seed = static_cast<int64_t>(s->seed);
  if (!ReadInt(root, "repetitions", 1, 1000, &reps, e) ||
      !ReadInt(root, "warmup", 0, 100, &warmup, e) ||
      !ReadInt(root, "seed", 0, INT64_MAX, &seed, e))
    return false;
  s->repetitions = static_cast<int>(reps);
  s->warmup = static_cast<int>(warmup);
  s->seed = static_cast<uint64_t>(seed);
  if (root.contains("time_scale")) {
    const Json& v = root["time_scale"];
    if (!v.is_number() || v.get<double>() <= 0 || v.get<double>() > 1e6)
      return Fail(e, "$.time_scale",
                  "must be a number in (0, 1e6], got " + Show(v));
    s->time_scale = v.get<double>();
  }
  if (root.contains("require_compliance")) {
    if (!root["require_compliance"].is_boolean())
      return Fail(
          e, "$.require_compliance",
          "must be true or false, got " + Show(root["require_compliance"]));
    s->require_compliance = root["require_compliance"];
  }
  return true;
}

bool ParseSections(const Json& root, Scenario* s, Error* e) {
  s->workload = DefaultWorkload();
  s->mock = DefaultMock();
  s->settings = Json::object();
  const std::pair<const char*, Section> sections[] = {
      {"workload", Section::kWorkload},
      {"mock", Section::kMock},
      {"settings", Section::kSettings}};
  for (const auto& [key, section] : sections) {
    if (!root.contains(key)) continue;
    if (!CheckSection(root[key], section, std::string("$.") + key, e))
      return false;
    Json& into = section == Section::kWorkload ? s->workload
                 : section == Section::kMock   ? s->mock
                                               : s->settings;
    for (auto it = root[key].begin(); it != root[key].end(); ++it)
      into[it.key()] = it.value();
  }
  return true;
}

}  // namespace

Json Scenario::ToJson() const {
  Json j;
  j["name"] = name;
  j["description"] = description;
  j["target"] = target;
  j["workload"] = workload;
  j["mock"] = mock;
  j["settings"] = settings;
  Json m;
  m["axes"] = Json::object();
  for (const auto& [axis, values] : matrix.axes) m["axes"][axis] = values;
  m["zip"] = matrix.zip;
  m["exclude"] = matrix.exclude;
  j["matrix"] = m;
  j["limits"] = Json::array();
  for (const auto& l : limits)
    j["limits"].push_back({{"window_s", l.window_s}, {"limit", l.limit}});
  j["repetitions"] = repetitions;
  j["warmup"] = warmup;
  j["order"] = order;
  j["time_scale"] = time_scale;
  j["seed"] = seed;
  j["require_compliance"] = require_compliance;
  return j;
}

std::optional<Scenario> ParseScenario(const std::string& text,
                                      ScenarioError* error) {
  Json root = Json::parse(text, nullptr, false);
  if (root.is_discarded()) {
    Fail(error, "$", "not valid JSON");
    return std::nullopt;
  }
  if (!root.is_object()) {
    Fail(error, "$", "must be a JSON object");
    return std::nullopt;
  }
  Scenario s;
  if (!CheckKeys(root, kTopKeys, "$", error) ||
      !ParseStrings(root, &s, error) || !ParseNumbers(root, &s, error) ||
      !ParseLimits(root, &s, error) || !ParseSections(root, &s, error) ||
      !ParseMatrix(root, &s, error) || !CheckWorkload(s.workload, error))
    return std::nullopt;
  // The bound above caps the expansion, so this costs at most 10,000 cells.
  if (!s.matrix.exclude.empty() && ExpandMatrix(s).empty()) {
    Fail(error, "$.matrix.exclude",
         "excludes every cell of the matrix; nothing would run");
    return std::nullopt;
  }
  return s;
}

bool ValidateScenario(const Scenario& scenario, ScenarioError* error) {
  return CheckWorkload(scenario.workload, error);
}

std::optional<Scenario> LoadScenario(const std::string& path,
                                     ScenarioError* error) {
  std::ifstream in(path);
  if (!in) {
    Fail(error, path, "cannot read the file");
    return std::nullopt;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return ParseScenario(buffer.str(), error);
}

bool ApplyOverride(Scenario* scenario, const std::string& assignment,
                   ScenarioError* error) {
  size_t eq = assignment.find('=');
  std::string path = "--set " + assignment;
  if (eq == std::string::npos || eq == 0)
    return Fail(error, path, "expected name=value");
  std::string name = assignment.substr(0, eq);
  std::string text = assignment.substr(eq + 1);
  Json value = Json::parse(text, nullptr, false);
  if (value.is_discarded()) value = text;
  Section section;
  std::string knob;
  if (!ResolveKnobPath(name, &section, &knob))
    return Fail(error, path, "unknown setting " + name);
  std::string message;
  if (!ValidateKnob(section, knob, value, &message))
    return Fail(error, path, message);
  for (auto& [axis, values] : scenario->matrix.axes) {
    if (axis == name) {
      values = {value};
      return true;
    }
  }
  Json& into = section == Section::kWorkload ? scenario->workload
               : section == Section::kMock   ? scenario->mock
                                             : scenario->settings;
  into[knob] = value;
  return true;
}

namespace {

// A dimension: one axis, or a zip group of axes that move together.
struct Dimension {
  std::vector<std::string> axes;
  size_t length = 0;
};

std::vector<Dimension> Dimensions(const Matrix& m) {
  std::vector<Dimension> dims;
  std::vector<std::string> done;
  for (const auto& [axis, values] : m.axes) {
    if (std::count(done.begin(), done.end(), axis)) continue;
    Dimension d{{axis}, values.size()};
    for (const auto& group : m.zip) {
      if (std::count(group.begin(), group.end(), axis)) d.axes = group;
    }
    done.insert(done.end(), d.axes.begin(), d.axes.end());
    dims.push_back(d);
  }
  return dims;
}

bool Excluded(const Matrix& m, const Json& params) {
  for (const Json& rule : m.exclude) {
    bool all = true;
    for (auto it = rule.begin(); it != rule.end() && all; ++it)
      all = params.contains(it.key()) && params[it.key()] == it.value();
    if (all) return true;
  }
  return false;
}

std::string CellId(const Json& params) {
  std::string id;
  for (auto it = params.begin(); it != params.end(); ++it) {
    if (!id.empty()) id += ' ';
    id += it.key() + "=" +
          (it.value().is_string() ? it.value().get<std::string>()
                                  : it.value().dump());
  }
  return id.empty() ? "default" : id;
}

Cell MakeCell(const Scenario& s, const Json& params) {
  Cell cell;
  cell.params = params;
  cell.id = CellId(params);
  cell.workload = s.workload;
  cell.mock = s.mock;
  cell.settings = s.settings;
  for (auto it = params.begin(); it != params.end(); ++it) {
    Section section;
    std::string knob;
    ResolveKnobPath(it.key(), &section, &knob);
    Json& into = section == Section::kWorkload ? cell.workload
                 : section == Section::kMock   ? cell.mock
                                               : cell.settings;
    into[knob] = it.value();
  }
  return cell;
}

}  // namespace

std::vector<Cell> ExpandMatrix(const Scenario& s) {
  std::vector<Dimension> dims = Dimensions(s.matrix);
  std::vector<size_t> pos(dims.size(), 0);
  std::vector<Cell> cells;
  for (;;) {
    Json params = Json::object();
    for (const auto& [axis, values] : s.matrix.axes) {
      for (size_t d = 0; d < dims.size(); ++d) {
        if (std::count(dims[d].axes.begin(), dims[d].axes.end(), axis))
          params[axis] = values[pos[d]];
      }
    }
    if (!Excluded(s.matrix, params)) {
      cells.push_back(MakeCell(s, params));
      cells.back().index = cells.size() - 1;
    }
    // Odometer: the last dimension varies fastest.
    size_t d = dims.size();
    while (d > 0 && ++pos[d - 1] == dims[d - 1].length) pos[--d] = 0;
    if (d == 0) break;
  }
  return cells;
}

std::vector<std::pair<size_t, int>> ExecutionOrder(const Scenario& s,
                                                   size_t cells) {
  std::vector<std::pair<size_t, int>> order;
  if (s.order == "sequential") {
    for (size_t c = 0; c < cells; ++c)
      for (int r = 0; r < s.repetitions; ++r) order.emplace_back(c, r);
    return order;
  }
  for (int r = 0; r < s.repetitions; ++r)
    for (size_t c = 0; c < cells; ++c) order.emplace_back(c, r);
  if (s.order == "random") {
    // Fisher-Yates with raw generator output, identical on every platform.
    std::mt19937_64 rng(s.seed);
    for (size_t i = order.size(); i > 1; --i)
      std::swap(order[i - 1], order[rng() % i]);
  }
  return order;
}

std::string HashJson(const Json& value) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : value.dump()) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return fmt::format("{:016x}", h);
}

}  // namespace eiabench::experiment
