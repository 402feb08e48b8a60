#include "harness/client/sinks.h"

#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness/client/extractor.h"

using namespace eiabench;

namespace {

std::string TempPath(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("eiabench-sinks-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

PageRows MakeRows(int first_hour, int n) {
  PageRows rows;
  for (int i = 0; i < n; ++i) {
    rows.BeginRow();
    std::string period = "2024-01-01T" +
                         std::string(first_hour + i < 10 ? "0" : "") +
                         std::to_string(first_hour + i);
    rows.AddField("period", period, false);
    rows.AddField("respondent", "PACW", false);
    rows.AddField("value", i == 1 ? "" : "1,\"2\"", i == 1);
    rows.AddField("value-units", "MWh", false);
  }
  return rows;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

SinkContext Ctx(bool resume) {
  return SinkContext{
      "electricity/rto/fuel-type-data", {"value"}, "fp-1", resume};
}

int64_t CountRows(const std::string& path) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM electricity_rto_fuel_type_data",
                     -1, &st, nullptr);
  int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
  sqlite3_finalize(st);
  sqlite3_close(db);
  return n;
}

}  // namespace

TEST_CASE("JSON Lines rows keep response order, escapes and nulls",
          "[client]") {
  std::string path = TempPath("a.jsonl");
  auto sink = MakeSink(SinkKind::kJsonLines, path);
  std::string error;
  REQUIRE(sink->Open(Ctx(false), &error));
  PageRows rows = MakeRows(0, 2);
  REQUIRE(sink->WritePage({MakePageId(0, 0), 0, 2, 0, &rows}, &error));
  REQUIRE(sink->Close(&error));
  CHECK(Slurp(path) ==
        "{\"period\":\"2024-01-01T00\",\"respondent\":\"PACW\",\"value\":"
        "\"1,\\\"2\\\"\",\"value-units\":\"MWh\"}\n"
        "{\"period\":\"2024-01-01T01\",\"respondent\":\"PACW\",\"value\":"
        "null,\"value-units\":\"MWh\"}\n");
}

TEST_CASE("CSV quotes fields that need it and writes one header", "[client]") {
  std::string path = TempPath("a.csv");
  auto sink = MakeSink(SinkKind::kCsv, path);
  std::string error;
  REQUIRE(sink->Open(Ctx(false), &error));
  PageRows rows = MakeRows(0, 2);
  REQUIRE(sink->WritePage({MakePageId(0, 0), 0, 2, 0, &rows}, &error));
  REQUIRE(sink->Close(&error));
  CHECK(Slurp(path) ==
        "period,respondent,value,value-units\r\n"
        "2024-01-01T00,PACW,\"1,\"\"2\"\"\",MWh\r\n"
        "2024-01-01T01,PACW,,MWh\r\n");
}

TEST_CASE("a file sink resumes from its last checkpoint, dropping the rest",
          "[client]") {
  for (SinkKind kind : {SinkKind::kJsonLines, SinkKind::kCsv}) {
    std::string path = TempPath(kind == SinkKind::kCsv ? "r.csv" : "r.jsonl");
    std::string error;
    PageRows p0 = MakeRows(0, 3), p1 = MakeRows(3, 3);
    {
      auto sink = MakeSink(kind, path);
      REQUIRE(sink->Open(Ctx(false), &error));
      REQUIRE(sink->WritePage({MakePageId(0, 0), 0, 6, 11, &p0}, &error));
      REQUIRE(sink->Close(&error));
    }
    std::string committed = Slurp(path);
    // What a kill -9 leaves behind: rows of an uncheckpointed page in the
    // data file and a torn progress line.
    { std::ofstream(path, std::ios::app) << "half a row"; }
    { std::ofstream(path + ".progress", std::ios::app) << "page 1 3"; }

    auto sink = MakeSink(kind, path);
    REQUIRE(sink->Open(Ctx(true), &error));
    auto done = sink->CompletedPages();
    REQUIRE(done.size() == 1);
    CHECK(done[0].page_id == MakePageId(0, 0));
    CHECK(done[0].rows == 3);
    CHECK(done[0].batch_total == 6);
    CHECK(done[0].checksum == 11);
    CHECK(Slurp(path) == committed);
    REQUIRE(sink->WritePage({MakePageId(0, 1), 3, 6, 22, &p1}, &error));
    REQUIRE(sink->Close(&error));
    std::string all = Slurp(path);
    CHECK(all.rfind(committed, 0) == 0);
    CHECK(all.find("half a row") == std::string::npos);
    // CSV keeps its single header across the resume.
    CHECK(all.find("period,respondent", 1) == std::string::npos);
  }
}

TEST_CASE("a resume with a different plan is refused", "[client]") {
  std::string path = TempPath("m.jsonl");
  std::string error;
  PageRows p0 = MakeRows(0, 1);
  {
    auto sink = MakeSink(SinkKind::kJsonLines, path);
    REQUIRE(sink->Open(Ctx(false), &error));
    REQUIRE(sink->WritePage({MakePageId(0, 0), 0, 1, 1, &p0}, &error));
    REQUIRE(sink->Close(&error));
  }
  auto sink = MakeSink(SinkKind::kJsonLines, path);
  SinkContext ctx = Ctx(true);
  ctx.plan_fingerprint = "fp-2";
  CHECK_FALSE(sink->Open(ctx, &error));
  CHECK(error.rfind("resume mismatch", 0) == 0);
}

TEST_CASE("SQLite upserts by natural key, so a replay is idempotent",
          "[client]") {
  std::string path = TempPath("u.sqlite");
  std::filesystem::remove(path);
  std::string error;
  PageRows p0 = MakeRows(0, 3);
  for (int run = 0; run < 2; ++run) {
    auto sink = MakeSink(SinkKind::kSqlite, path);
    REQUIRE(sink->Open(Ctx(false), &error));
    REQUIRE(sink->WritePage({MakePageId(0, 0), 0, 3, 5, &p0}, &error));
    REQUIRE(sink->Close(&error));
  }
  CHECK(CountRows(path) == 3);
}

TEST_CASE("SQLite keeps progress only for committed transactions", "[client]") {
  std::string path = TempPath("p.sqlite");
  std::filesystem::remove(path);
  std::string error;
  PageRows p0 = MakeRows(0, 3), p1 = MakeRows(3, 2);
  {
    auto sink = MakeSink(SinkKind::kSqlite, path);
    REQUIRE(sink->Open(Ctx(false), &error));
    REQUIRE(sink->WritePage({MakePageId(0, 0), 0, 5, 5, &p0}, &error));
    REQUIRE(sink->Close(&error));
  }
  auto sink = MakeSink(SinkKind::kSqlite, path);
  REQUIRE(sink->Open(Ctx(true), &error));
  REQUIRE(sink->CompletedPages().size() == 1);
  CHECK(sink->CompletedPages()[0].checksum == 5);
  REQUIRE(sink->WritePage({MakePageId(0, 1), 3, 5, 7, &p1}, &error));
  REQUIRE(sink->Close(&error));
  CHECK(CountRows(path) == 5);
}

TEST_CASE("the null sink cannot resume", "[client]") {
  NullSink sink;
  std::string error;
  CHECK_FALSE(sink.Open(Ctx(true), &error));
  CHECK_FALSE(error.empty());
}
