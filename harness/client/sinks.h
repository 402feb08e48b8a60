// Row sinks: where the extractor's rows go, and where progress is kept.
//
//   NullSink       discards rows (benchmarks); progress in memory only, so
//                  it cannot resume.
//   JsonLinesSink  one JSON object per row, fields in response order.
//   CsvSink        RFC 4180, header from the first row's keys.
//   SqliteSink     one table per route (the route with '/' and '-' turned
//                  into '_'), every column TEXT, the natural key as primary
//                  key, upserts, WAL, batched transactions. The default of
//                  `eiabench extract`.
//
// Natural key: every field of a row except the data columns (`value`), the
// `*-units` columns and a `X-name` column when the row has `X` (the name
// describes the id). E.g. region-data: (period, respondent, type).
//
// Progress and exactly-once after kill -9:
//   SQLite: the page's rows and its progress row go into the same
//     transaction (table `eiabench_pages_<table>`, plan fingerprint in
//     `eiabench_runs`). A crash loses only uncommitted pages, whose rows
//     went with them. Upserts make a replay idempotent anyway.
//     synchronous=NORMAL in WAL mode: durable against a process crash,
//     not against power loss.
//   JSON Lines / CSV: a sidecar `<path>.progress`, one line per committed
//     page with the data file's size after that page. Flush() fsyncs the
//     data file first, then appends and fsyncs the sidecar. On --resume the
//     data file is truncated back to the last committed size, so rows of
//     pages written after the last checkpoint are dropped and refetched.
//
// Without resume, JSON Lines and CSV outputs are overwritten; SQLite drops
// the route's progress and refetches everything (the upserts keep every
// row once). A resume whose plan fingerprint differs from the stored one
// fails with an error that starts with "resume mismatch".
//
// Not thread-safe: the extractor's thread owns a sink.
#pragma once

#include <memory>
#include <string>

#include "harness/client/extractor.h"

namespace eiabench {

enum class SinkKind { kNull, kJsonLines, kCsv, kSqlite };

// "null", "jsonl", "csv", "sqlite"; nullopt for anything else.
std::optional<SinkKind> ParseSinkKind(const std::string& name);
// The kind implied by a file name: .jsonl/.ndjson, .csv, otherwise SQLite.
SinkKind SinkKindForPath(const std::string& path);

class NullSink : public RowSink {
 public:
  bool Open(const SinkContext& ctx, std::string* error) override;
  std::vector<CompletedPage> CompletedPages() const override { return {}; }
  bool WritePage(const PageRecord& page, std::string* error) override;
  bool Flush(std::string*) override { return true; }
  bool Close(std::string*) override { return true; }
  uint64_t rows() const { return rows_; }

 private:
  uint64_t rows_ = 0;
};

// `path` is ignored for kNull. Errors arrive from Open().
std::unique_ptr<RowSink> MakeSink(SinkKind kind, const std::string& path);

// Whether the natural key includes `key`, a column of a row with the
// columns `row_keys` (see above).
bool IsNaturalKeyColumn(std::string_view key,
                        const std::vector<std::string>& row_keys,
                        const std::vector<std::string>& data_columns);

// JSON string escaping (quotes included), for JSON Lines and tests.
void AppendJsonString(std::string* out, std::string_view s);

}  // namespace eiabench
