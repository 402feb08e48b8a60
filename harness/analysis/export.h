// `eiabench export`: a result file in formats other tools read.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "harness/analysis/result_file.h"

namespace eiabench::analysis {

// Google Benchmark's JSON output format (json_schema_version 1), so that
// compare.py, github-action-benchmark and Bencher read our results:
// - `context`: GB's keys (date, host_name, executable, num_cpus, ...) filled
//   from the result's context, plus eiabench_* keys (git SHA, clock mode,
//   target, scenario hash).
// - `benchmarks`: per cell, one "iteration" entry per valid repetition
//   (name "<scenario>/<cell id>", repetitions, repetition_index, iterations
//   1, real_time = cpu_time = duration_s in milliseconds: the harness does
//   not measure CPU time), every metric as a user counter, items_per_second
//   = records_per_s; then "aggregate" entries _mean, _median, _stddev and
//   _cv (cv in aggregate_unit "percentage") when there are 2+ repetitions.
nlohmann::json ExportGoogleBenchmark(const ResultFile& file);

// One row per repetition: cell index, cell id, every parameter, rep, status,
// compliant, then every metric (union over the file, sorted); empty fields
// where a metric or parameter does not apply.
std::string ExportCsv(const ResultFile& file);

}  // namespace eiabench::analysis
