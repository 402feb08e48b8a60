// Merging worker files: one copy per page, conflicts refused.
#include "harness/scaleout/merge.h"

#include <catch2/catch.hpp>
#include <string>

#include "harness/client/extractor.h"
#include "harness/common/exit_codes.h"
#include "harness/scaleout/worker_sink.h"
#include "tests/scaleout/redis_fixture.h"

using namespace eiabench;
using namespace eiabench::scaleout;
using eiabench::testing::TempDir;

namespace {

PageRows TwoRows(const std::string& value) {
  PageRows rows;
  rows.BeginRow();
  rows.AddField("period", "2024-01-01T00", false);
  rows.AddField("respondent", "PACW", false);
  rows.AddField("value", value, false);
  rows.BeginRow();
  rows.AddField("period", "2024-01-01T01", false);
  rows.AddField("respondent", "PACW", false);
  rows.AddField("value", "", true);
  return rows;
}

uint64_t Sum(const PageRows& rows) {
  uint64_t sum = 0;
  for (size_t i = 0; i < rows.size(); ++i) sum += RowHash(rows, i);
  return sum;
}

void Write(const std::string& path, const std::string& worker, uint64_t page_id,
           const PageRows& rows) {
  WorkerSink sink;
  std::string error;
  REQUIRE(sink.Open(path, worker, &error));
  REQUIRE(sink.WritePage(page_id, 2, Sum(rows), rows, &error));
}

}  // namespace

TEST_CASE("a page present in two worker files is merged once", "[scaleout]") {
  TempDir dir;
  const PageRows rows = TwoRows("512");
  Write(dir.path() + "/a.sqlite", "a", 7, rows);
  Write(dir.path() + "/b.sqlite", "b", 7, rows);  // redone after a lease
  Write(dir.path() + "/b.sqlite", "b", 8, TwoRows("9"));

  MergeOptions options;
  options.inputs = {dir.path() + "/a.sqlite", dir.path() + "/b.sqlite"};
  options.out_path = dir.path() + "/merged.jsonl";
  MergeResult r = Merge(options);
  INFO(r.error);
  REQUIRE(r.exit_code == kExitOk);
  CHECK(r.pages == 2);
  CHECK(r.rows == 4);
  CHECK(r.duplicate_pages == 1);
  CHECK(r.checksum == Sum(rows) + Sum(TwoRows("9")));
}

TEST_CASE("a page that differs between worker files fails the merge",
          "[scaleout]") {
  TempDir dir;
  Write(dir.path() + "/a.sqlite", "a", 7, TwoRows("512"));
  Write(dir.path() + "/b.sqlite", "b", 7, TwoRows("513"));
  MergeOptions options;
  options.inputs = {dir.path() + "/a.sqlite", dir.path() + "/b.sqlite"};
  MergeResult r = Merge(options);
  CHECK(r.exit_code == kExitInvalidRun);
  CHECK(r.error.find("page 7 differs") != std::string::npos);
}

TEST_CASE("a file that is not a worker output is refused", "[scaleout]") {
  TempDir dir;
  MergeOptions options;
  options.inputs = {dir.path() + "/missing.sqlite"};
  MergeResult r = Merge(options);
  CHECK(r.exit_code == kExitUsage);
}

TEST_CASE("a stored row is written back with its fields in response order",
          "[scaleout]") {
  const PageRows rows = TwoRows("5\"12");
  CHECK(RowToJson(rows, 0) ==
        "{\"period\":\"2024-01-01T00\",\"respondent\":\"PACW\","
        "\"value\":\"5\\\"12\"}");
  CHECK(RowToJson(rows, 1) ==
        "{\"period\":\"2024-01-01T01\",\"respondent\":\"PACW\","
        "\"value\":null}");
}
