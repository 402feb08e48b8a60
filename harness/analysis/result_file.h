// The analysis commands' view of a result file (docs/RESULTS.md, schema
// version 1): cells matched by their parameters, each repetition's flat
// metrics and compliance, and the context needed to decide whether two files
// may be compared.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace eiabench::analysis {

// The only result-file schema this code reads.
inline constexpr int kSchemaVersion = 1;

struct Repetition {
  int rep = 0;
  std::string status;  // "ok", "invalid" or "failed"
  std::map<std::string, double> metrics;
  bool compliant = true;
  nlohmann::json raw;  // the whole repetition object, for plots
};

struct Cell {
  int index = 0;
  std::string id;
  nlohmann::json params;  // an object; axis name -> value
  // Canonical text of `params` (sorted keys, numbers normalised); two cells
  // of different files are "the same cell" when their keys are equal.
  std::string key;
  std::vector<Repetition> repetitions;
  bool compliant = true;

  // Values of `metric` over the repetitions whose status is "ok", in
  // repetition order. A repetition without the metric contributes nothing.
  std::vector<double> Values(const std::string& metric) const;
  // Median of Values(metric); empty when no repetition has it.
  std::optional<double> Median(const std::string& metric) const;
  // Number of repetitions whose status is "ok".
  int OkRepetitions() const;
};

struct ResultFile {
  std::string path;
  std::string label;  // short name for tables: the file name without .json
  nlohmann::json context;
  nlohmann::json scenario;
  nlohmann::json target;
  std::string scenario_hash;
  std::string scenario_name;
  std::string clock_mode;   // "virtual", "scaled" or "real"
  std::string target_kind;  // "sim", "mock" or "live"
  std::vector<Cell> cells;
  // The runner marks a run still in progress or interrupted; such a file
  // must not be gated and is flagged elsewhere.
  bool partial = false;

  // True when the numbers are deterministic for the seed (virtual clock).
  bool Deterministic() const { return clock_mode == "virtual"; }
  // Every metric name that appears in any repetition, sorted.
  std::vector<std::string> MetricNames() const;
};

// A loaded file or the one-line reason it could not be loaded (unreadable,
// not JSON, wrong schema_version, missing cells). Loading never throws.
struct LoadedResult {
  std::optional<ResultFile> file;
  std::string error;
};

LoadedResult LoadResultFile(const std::string& path);
// Parses `text` as if read from `path` (used by tests and by LoadResultFile).
LoadedResult ParseResultFile(const std::string& text, const std::string& path);

// Loads every path; on the first failure returns its error and no files.
// Labels are made unique ("run", "run#2") so tables stay unambiguous.
struct LoadedResults {
  std::vector<ResultFile> files;
  std::string error;
};
LoadedResults LoadResultFiles(const std::vector<std::string>& paths);

// Canonical matching key of a params object.
std::string CanonicalParamsKey(const nlohmann::json& params);

// Field readers that tolerate absent, null or mistyped values (result files
// come from other programs and other versions): they return `fallback`.
std::string JsonString(const nlohmann::json& object, const char* key,
                       const std::string& fallback);
double JsonNumber(const nlohmann::json& object, const char* key,
                  double fallback);
bool JsonBool(const nlohmann::json& object, const char* key, bool fallback);
// The member `key` if it is an object, else an empty object.
nlohmann::json JsonObject(const nlohmann::json& object, const char* key);

}  // namespace eiabench::analysis
