// A worker's own output: one SQLite file per worker process.
//
// Why not one shared database: workers on different hosts then need no
// shared file system and no database server, and a worker killed mid-write
// can only lose its own uncommitted page. Why not the pipeline's SqliteSink:
// `eiabench merge` must keep exactly one copy of each *page* (a page redone
// after an expired lease exists in two files), so rows are stored with the
// page they came from, and a page's rows and its completion record are
// committed in one transaction.
//
// Schema: pages(page_id PRIMARY KEY, batch_total, rows, checksum, worker)
// and rows(page_id, row_index, fields, PRIMARY KEY(page_id, row_index)),
// where `fields` is the row as a JSON object with its fields in response
// order. WAL with synchronous=FULL: a committed page survives a kill -9 and
// a power loss. Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/client/extractor.h"

struct sqlite3;

namespace eiabench::scaleout {

class WorkerSink {
 public:
  WorkerSink() = default;
  ~WorkerSink();
  WorkerSink(const WorkerSink&) = delete;
  WorkerSink& operator=(const WorkerSink&) = delete;

  // Opens or creates `path`. An existing file (a restarted worker) is kept:
  // pages are replaced by id, so writing a page again is idempotent.
  bool Open(const std::string& path, const std::string& worker,
            std::string* error);

  // Writes the page's rows and its completion record in one transaction
  // and commits it durably before returning true.
  bool WritePage(uint64_t page_id, uint64_t batch_total, uint64_t checksum,
                 const PageRows& rows, std::string* error);

  void Close();

 private:
  sqlite3* db_ = nullptr;
  std::string worker_;
};

// The row as a JSON object, fields in response order, values as strings or
// null: what `fields` holds and what `merge` writes as a JSON line.
std::string RowToJson(const PageRows& rows, size_t row);

// A page as stored in a worker file.
struct StoredPage {
  uint64_t page_id = 0;
  uint64_t batch_total = 0;
  uint64_t rows = 0;
  uint64_t checksum = 0;
  std::string worker;
};

// Read access for `merge`. Not thread-safe.
class WorkerFileReader {
 public:
  WorkerFileReader() = default;
  ~WorkerFileReader();
  WorkerFileReader(const WorkerFileReader&) = delete;
  WorkerFileReader& operator=(const WorkerFileReader&) = delete;

  // Opens read-only; fails with a one-line error if `path` is missing or is
  // not a worker file.
  bool Open(const std::string& path, std::string* error);
  std::optional<std::vector<StoredPage>> Pages(std::string* error);
  // The rows of one page as JSON objects, in row order.
  std::optional<std::vector<std::string>> Rows(uint64_t page_id,
                                               std::string* error);

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

}  // namespace eiabench::scaleout
