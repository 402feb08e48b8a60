#include "harness/analysis/export.h"

#include <fmt/core.h>

#include <cmath>
#include <set>

#include "harness/analysis/stats.h"
#include "harness/analysis/text_table.h"

namespace eiabench::analysis {
namespace {

using nlohmann::json;

constexpr double kMsPerSecond = 1000;

json GbenchContext(const ResultFile& file) {
  const json& c = file.context;
  bool debug = JsonString(c, "build_type", "") == "Debug";
  return {
      {"date", JsonString(c, "timestamp", "")},
      {"host_name", JsonString(c, "host", "")},
      {"executable", "eiabench"},
      {"num_cpus", static_cast<int>(JsonNumber(c, "cores", 0))},
      {"mhz_per_cpu", 0},
      {"cpu_scaling_enabled", false},
      {"caches", json::array()},
      {"load_avg", json::array()},
      {"library_version", JsonString(c, "harness_version", "")},
      {"library_build_type", debug ? "debug" : "release"},
      {"json_schema_version", 1},
      {"eiabench_git_sha", JsonString(c, "git_sha", "")},
      {"eiabench_clock_mode", file.clock_mode},
      {"eiabench_target", file.target_kind},
      {"eiabench_scenario", file.scenario_name},
      {"eiabench_scenario_hash", file.scenario_hash},
  };
}

// Fields every GB run carries; the caller adds the type-specific ones.
json BaseEntry(const std::string& name, const std::string& run_name,
               int family_index, int repetitions) {
  return {{"name", name},
          {"family_index", family_index},
          {"per_family_instance_index", 0},
          {"run_name", run_name},
          {"repetitions", repetitions},
          {"threads", 1}};
}

json IterationEntry(const std::string& run_name, int family_index,
                    int repetitions, int index, const Repetition& rep) {
  json entry = BaseEntry(run_name, run_name, family_index, repetitions);
  entry["run_type"] = "iteration";
  entry["repetition_index"] = index;
  entry["iterations"] = 1;
  auto duration = rep.metrics.find("duration_s");
  double time_ms =
      duration == rep.metrics.end() ? 0 : duration->second * kMsPerSecond;
  entry["real_time"] = time_ms;
  entry["cpu_time"] = time_ms;
  entry["time_unit"] = "ms";
  for (const auto& [name, value] : rep.metrics) entry[name] = value;
  if (auto it = rep.metrics.find("records_per_s"); it != rep.metrics.end()) {
    entry["items_per_second"] = it->second;
  }
  return entry;
}

double Mean(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return v.empty() ? 0 : sum / v.size();
}

double Stddev(const std::vector<double>& v) {
  if (v.size() < 2) return 0;
  double mean = Mean(v), sum = 0;
  for (double x : v) sum += (x - mean) * (x - mean);
  return std::sqrt(sum / (v.size() - 1));
}

double Aggregate(const std::string& kind, const std::vector<double>& v) {
  if (kind == "mean") return Mean(v);
  if (kind == "median") return Median(v);
  if (kind == "stddev") return Stddev(v);
  double mean = Mean(v);  // cv, as GB computes it: stddev / mean
  return mean == 0 ? 0 : Stddev(v) / mean;
}

json AggregateEntry(const std::string& run_name, int family_index,
                    const std::string& kind,
                    const std::vector<const Repetition*>& reps) {
  int n = static_cast<int>(reps.size());
  json entry = BaseEntry(run_name + "_" + kind, run_name, family_index, n);
  entry["run_type"] = "aggregate";
  entry["aggregate_name"] = kind;
  entry["aggregate_unit"] = kind == "cv" ? "percentage" : "time";
  entry["iterations"] = n;
  std::set<std::string> names;
  for (const auto* rep : reps) {
    for (const auto& [name, value] : rep->metrics) names.insert(name);
  }
  auto values_of = [&](const std::string& name, double scale) {
    std::vector<double> values;
    for (const auto* rep : reps) {
      if (auto it = rep->metrics.find(name); it != rep->metrics.end()) {
        values.push_back(it->second * scale);
      }
    }
    return values;
  };
  double time_ms = Aggregate(kind, values_of("duration_s", kMsPerSecond));
  entry["real_time"] = time_ms;
  entry["cpu_time"] = time_ms;
  entry["time_unit"] = "ms";
  for (const auto& name : names) {
    entry[name] = Aggregate(kind, values_of(name, 1));
  }
  if (names.count("records_per_s")) {
    entry["items_per_second"] = entry["records_per_s"];
  }
  return entry;
}

}  // namespace

json ExportGoogleBenchmark(const ResultFile& file) {
  json out = {{"context", GbenchContext(file)}, {"benchmarks", json::array()}};
  int family_index = 0;
  for (const auto& cell : file.cells) {
    std::string run_name = file.scenario_name + "/" + cell.id;
    std::vector<const Repetition*> ok;
    for (const auto& rep : cell.repetitions) {
      if (rep.status == "ok") ok.push_back(&rep);
    }
    int n = static_cast<int>(ok.size());
    for (int i = 0; i < n; ++i) {
      out["benchmarks"].push_back(
          IterationEntry(run_name, family_index, n, i, *ok[i]));
    }
    if (n >= 2) {
      for (const char* kind : {"mean", "median", "stddev", "cv"}) {
        out["benchmarks"].push_back(
            AggregateEntry(run_name, family_index, kind, ok));
      }
    }
    ++family_index;
  }
  return out;
}

std::string ExportCsv(const ResultFile& file) {
  std::set<std::string> param_names;
  for (const auto& cell : file.cells) {
    for (auto& [name, value] : cell.params.items()) param_names.insert(name);
  }
  auto metric_names = file.MetricNames();

  TextTable table;
  table.header = {"cell_index", "cell_id"};
  for (const auto& p : param_names) table.header.push_back(p);
  for (const char* column : {"rep", "status", "compliant"}) {
    table.header.push_back(column);
  }
  for (const auto& m : metric_names) table.header.push_back(m);

  for (const auto& cell : file.cells) {
    for (const auto& rep : cell.repetitions) {
      std::vector<std::string> row = {std::to_string(cell.index), cell.id};
      for (const auto& p : param_names) {
        auto it = cell.params.find(p);
        bool absent = it == cell.params.end();
        row.push_back(absent            ? ""
                      : it->is_string() ? it->get<std::string>()
                                        : it->dump());
      }
      row.push_back(std::to_string(rep.rep));
      row.push_back(rep.status);
      row.push_back(rep.compliant ? "true" : "false");
      for (const auto& m : metric_names) {
        auto it = rep.metrics.find(m);
        row.push_back(it == rep.metrics.end() ? ""
                                              : fmt::format("{}", it->second));
      }
      table.rows.push_back(std::move(row));
    }
  }
  return RenderCsv(table);
}

}  // namespace eiabench::analysis
