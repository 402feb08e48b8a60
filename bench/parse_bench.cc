// Page parsing: the pipeline's simdjson path against nlohmann/json on the
// same real-shaped 5,000-row fuel-type-data pages (bench/synthetic_page.h).
//
// Each benchmark does the whole job a parser does for the extractor: find
// `response.total` and `response.data`, and copy every row's fields (key,
// unescaped value or null) in response order into a flat arena. Counters:
// bytes_per_second (body bytes) and records_per_s (rows).
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "bench/synthetic_page.h"
#if EIABENCH_HAVE_CLIENT
#include "harness/client/extractor.h"
#include "harness/client/page_parser.h"
#endif

namespace eiabench::bench {
namespace {

constexpr int kPageRows = 5000;

// bench_parse_avx2 compiles this file and the pipeline's parser with
// -march=haswell (see CMakeLists.txt); its benchmarks carry a suffix so the
// two builds can sit side by side in one report.
#if EIABENCH_AVX2_VARIANT
constexpr const char* kVariant = "_avx2build";
#else
constexpr const char* kVariant = "";
#endif
#define EIABENCH_BENCHMARK(fn) BENCHMARK(fn)->Name(std::string(#fn) + kVariant)

const std::string& Page() {
  static const std::string page = [] {
    SyntheticPageSpec spec;
    spec.rows = kPageRows;
    return MakeFuelTypePage(spec);
  }();
  return page;
}

// The minimum a row consumer needs: fields in order, values unescaped.
struct FlatRows {
  std::string arena;
  std::vector<uint32_t> field_ends;
  size_t rows = 0;
  void Clear() {
    arena.clear();
    field_ends.clear();
    rows = 0;
  }
  void Add(std::string_view key, std::string_view value) {
    arena.append(key).append(value);
    field_ends.push_back(static_cast<uint32_t>(arena.size()));
  }
};

void Report(benchmark::State& state, size_t rows) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(Page().size()));
  state.counters["records_per_s"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * static_cast<double>(rows),
      benchmark::Counter::kIsRate);
  state.counters["page_bytes"] = static_cast<double>(Page().size());
  if (rows != kPageRows) state.SkipWithError("wrong row count");
}

// simdjson's On-Demand API used directly: the ceiling for any wrapper.
void BM_ParsePage_SimdjsonOndemand(benchmark::State& state) {
  simdjson::padded_string padded(Page());
  simdjson::ondemand::parser parser;
  FlatRows out;
  for (auto _ : state) {
    out.Clear();
    auto doc = parser.iterate(padded);
    auto response = doc["response"];
    uint64_t total = 0;
    std::string_view total_text = response["total"].get_string().value();
    for (char c : total_text) total = total * 10 + (c - '0');
    for (auto row : response["data"].get_array()) {
      for (auto field : row.get_object()) {
        std::string_view key = field.unescaped_key().value();
        auto value = field.value();
        if (value.is_null()) {
          out.Add(key, "null");
        } else {
          out.Add(key, value.get_string().value());
        }
      }
      ++out.rows;
    }
    benchmark::DoNotOptimize(total);
    benchmark::DoNotOptimize(out.arena.data());
  }
  Report(state, out.rows);
}
EIABENCH_BENCHMARK(BM_ParsePage_SimdjsonOndemand);

// The floor of On-Demand on this page: stage 1 plus a walk that touches
// every field's raw token and copies nothing. No parser of these pages
// built on On-Demand can beat it, so it says whether a goal is reachable.
void BM_ParsePage_SimdjsonWalkOnly(benchmark::State& state) {
  simdjson::padded_string padded(Page());
  simdjson::ondemand::parser parser;
  size_t rows = 0;
  for (auto _ : state) {
    rows = 0;
    size_t token_bytes = 0;
    auto doc = parser.iterate(padded);
    auto response = doc["response"];
    for (auto row : response["data"].get_array()) {
      for (auto field : row.get_object()) {
        token_bytes += field.value().raw_json_token().value().size();
      }
      ++rows;
    }
    benchmark::DoNotOptimize(token_bytes);
  }
  Report(state, rows);
}
EIABENCH_BENCHMARK(BM_ParsePage_SimdjsonWalkOnly);

// Stage 1 alone (structural indexing, UTF-8 validation): what simdjson
// costs before any field is visited.
void BM_ParsePage_SimdjsonStage1Only(benchmark::State& state) {
  simdjson::padded_string padded(Page());
  simdjson::ondemand::parser parser;
  for (auto _ : state) {
    auto doc = parser.iterate(padded);
    benchmark::DoNotOptimize(doc.current_location().value());
  }
  Report(state, kPageRows);
}
EIABENCH_BENCHMARK(BM_ParsePage_SimdjsonStage1Only);

// nlohmann/json: a full DOM, then the same walk over it.
void BM_ParsePage_Nlohmann(benchmark::State& state) {
  FlatRows out;
  for (auto _ : state) {
    out.Clear();
    auto doc = nlohmann::json::parse(Page());
    const auto& response = doc.at("response");
    uint64_t total = std::stoull(response.at("total").get<std::string>());
    for (const auto& row : response.at("data")) {
      for (const auto& [key, value] : row.items()) {
        if (value.is_null()) {
          out.Add(key, "null");
        } else {
          out.Add(key, value.get_ref<const std::string&>());
        }
      }
      ++out.rows;
    }
    benchmark::DoNotOptimize(total);
    benchmark::DoNotOptimize(out.arena.data());
  }
  Report(state, out.rows);
}
EIABENCH_BENCHMARK(BM_ParsePage_Nlohmann);

#if EIABENCH_HAVE_CLIENT
// The pipeline's parser exactly as the extractor calls it: envelope,
// warnings, rows into PageRows, and the shared row checksum of every row.
void BM_ParsePage_Pipeline(benchmark::State& state) {
  std::string body = Page();
  body.reserve(body.size() + simdjson::SIMDJSON_PADDING);  // no copy per page
  PageParser parser;
  PageRows rows;
  for (auto _ : state) {
    ParsedPage page = parser.Parse(body, &rows);
    if (!page.ok) {
      state.SkipWithError(page.error.c_str());
      break;
    }
    benchmark::DoNotOptimize(page.checksum);
  }
  Report(state, rows.size());
}
EIABENCH_BENCHMARK(BM_ParsePage_Pipeline);

// nlohmann/json doing the pipeline parser's whole job: the same PageRows
// and the same row checksum, so the two differ only in the JSON library.
void BM_ParsePage_NlohmannToPageRows(benchmark::State& state) {
  PageRows rows;
  for (auto _ : state) {
    rows.Clear();
    auto doc = nlohmann::json::parse(Page());
    const auto& response = doc.at("response");
    uint64_t total = std::stoull(response.at("total").get<std::string>());
    uint64_t checksum = 0;
    for (const auto& row : response.at("data")) {
      rows.BeginRow();
      for (const auto& [key, value] : row.items()) {
        if (value.is_null()) {
          rows.AddField(key, {}, true);
        } else {
          rows.AddField(key, value.get_ref<const std::string&>(), false);
        }
      }
      checksum += RowHash(rows, rows.size() - 1);
    }
    benchmark::DoNotOptimize(total);
    benchmark::DoNotOptimize(checksum);
  }
  Report(state, rows.size());
}
EIABENCH_BENCHMARK(BM_ParsePage_NlohmannToPageRows);

// The row checksum alone over a parsed page: the share of the pipeline's
// parse time that is hashing rather than JSON.
void BM_RowChecksumOnly(benchmark::State& state) {
  std::string body = Page();
  PageParser parser;
  PageRows rows;
  parser.Parse(body, &rows);
  for (auto _ : state) {
    uint64_t checksum = 0;
    for (size_t row = 0; row < rows.size(); ++row) {
      checksum += RowHash(rows, row);
    }
    benchmark::DoNotOptimize(checksum);
  }
  Report(state, rows.size());
}
EIABENCH_BENCHMARK(BM_RowChecksumOnly);
#endif  // EIABENCH_HAVE_CLIENT

// Only for scale: generating the synthetic page itself.
void BM_SyntheticPageGeneration(benchmark::State& state) {
  size_t bytes = 0;
  for (auto _ : state) {
    SyntheticPageSpec spec;
    std::string page = MakeFuelTypePage(spec);
    bytes = page.size();
    benchmark::DoNotOptimize(page.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}
EIABENCH_BENCHMARK(BM_SyntheticPageGeneration);

}  // namespace
}  // namespace eiabench::bench

#if EIABENCH_AVX2_VARIANT
// Runs only where the CPU has AVX2, so the program can sit in any build.
int main(int argc, char** argv) {
  if (!__builtin_cpu_supports("avx2")) {
    std::fprintf(stderr, "bench_parse_avx2: no AVX2 on this CPU; skipped\n");
    return 0;
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
#else
BENCHMARK_MAIN();
#endif
