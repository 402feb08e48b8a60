#include "harness/scaleout/worker_sink.h"

#include <sqlite3.h>

namespace eiabench::scaleout {
namespace {

constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS pages(page_id INTEGER PRIMARY KEY,"
    " batch_total INTEGER NOT NULL, rows INTEGER NOT NULL,"
    " checksum TEXT NOT NULL, worker TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS rows(page_id INTEGER NOT NULL,"
    " row_index INTEGER NOT NULL, fields TEXT NOT NULL,"
    " PRIMARY KEY(page_id, row_index)) WITHOUT ROWID;";

bool Exec(sqlite3* db, const char* sql, std::string* error) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &message) == SQLITE_OK) {
    return true;
  }
  *error = std::string("SQLite: ") + (message ? message : "unknown error");
  sqlite3_free(message);
  return false;
}

void AppendJsonString(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      default:
        if (c < 0x20) {
          *out += "\\u00";
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 15]);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

// Statement owner, so that every early return finalizes.
struct Statement {
  sqlite3_stmt* stmt = nullptr;
  ~Statement() { sqlite3_finalize(stmt); }
};

}  // namespace

std::string RowToJson(const PageRows& rows, size_t row) {
  std::string out = "{";
  for (size_t f = 0; f < rows.FieldCount(row); ++f) {
    FieldView field = rows.Field(row, f);
    if (f > 0) out.push_back(',');
    AppendJsonString(field.key, &out);
    out.push_back(':');
    if (field.is_null) {
      out += "null";
    } else {
      AppendJsonString(field.value, &out);
    }
  }
  out.push_back('}');
  return out;
}

WorkerSink::~WorkerSink() { Close(); }

void WorkerSink::Close() {
  if (db_ != nullptr) sqlite3_close(db_);
  db_ = nullptr;
}

bool WorkerSink::Open(const std::string& path, const std::string& worker,
                      std::string* error) {
  worker_ = worker;
  if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) {
    *error = "cannot open worker output " + path + ": " +
             (db_ ? sqlite3_errmsg(db_) : "out of memory");
    Close();
    return false;
  }
  sqlite3_busy_timeout(db_, 5000);
  // FULL: the commit that precedes an ack must survive a power loss too.
  if (!Exec(db_, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", error) ||
      !Exec(db_, kSchema, error)) {
    *error = "cannot prepare worker output " + path + ": " + *error;
    Close();
    return false;
  }
  return true;
}

bool WorkerSink::WritePage(uint64_t page_id, uint64_t batch_total,
                           uint64_t checksum, const PageRows& rows,
                           std::string* error) {
  if (!Exec(db_, "BEGIN IMMEDIATE", error)) return false;
  Statement del_rows, page, row;
  bool ok =
      sqlite3_prepare_v2(db_, "DELETE FROM rows WHERE page_id=?", -1,
                         &del_rows.stmt, nullptr) == SQLITE_OK &&
      sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO pages VALUES(?,?,?,?,?)",
                         -1, &page.stmt, nullptr) == SQLITE_OK &&
      sqlite3_prepare_v2(db_, "INSERT INTO rows VALUES(?,?,?)", -1, &row.stmt,
                         nullptr) == SQLITE_OK;
  // A page written again (same worker, resumed) replaces its old copy.
  if (ok) {
    sqlite3_bind_int64(del_rows.stmt, 1, static_cast<sqlite3_int64>(page_id));
    ok = sqlite3_step(del_rows.stmt) == SQLITE_DONE;
  }
  for (size_t i = 0; ok && i < rows.size(); ++i) {
    std::string fields = RowToJson(rows, i);
    sqlite3_reset(row.stmt);
    sqlite3_bind_int64(row.stmt, 1, static_cast<sqlite3_int64>(page_id));
    sqlite3_bind_int64(row.stmt, 2, static_cast<sqlite3_int64>(i));
    sqlite3_bind_text(row.stmt, 3, fields.data(),
                      static_cast<int>(fields.size()), SQLITE_TRANSIENT);
    ok = sqlite3_step(row.stmt) == SQLITE_DONE;
  }
  if (ok) {
    std::string sum = ChecksumHex(checksum);
    sqlite3_bind_int64(page.stmt, 1, static_cast<sqlite3_int64>(page_id));
    sqlite3_bind_int64(page.stmt, 2, static_cast<sqlite3_int64>(batch_total));
    sqlite3_bind_int64(page.stmt, 3, static_cast<sqlite3_int64>(rows.size()));
    sqlite3_bind_text(page.stmt, 4, sum.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(page.stmt, 5, worker_.c_str(), -1, SQLITE_TRANSIENT);
    ok = sqlite3_step(page.stmt) == SQLITE_DONE;
  }
  if (!ok) {
    *error = std::string("SQLite write failed: ") + sqlite3_errmsg(db_);
    std::string ignored;
    Exec(db_, "ROLLBACK", &ignored);
    return false;
  }
  return Exec(db_, "COMMIT", error);
}

WorkerFileReader::~WorkerFileReader() {
  if (db_ != nullptr) sqlite3_close(db_);
}

bool WorkerFileReader::Open(const std::string& path, std::string* error) {
  path_ = path;
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) !=
      SQLITE_OK) {
    *error = "cannot open worker output " + path + ": " +
             (db_ ? sqlite3_errmsg(db_) : "out of memory");
    return false;
  }
  Statement probe;
  if (sqlite3_prepare_v2(db_, "SELECT count(*) FROM pages", -1, &probe.stmt,
                         nullptr) != SQLITE_OK ||
      sqlite3_step(probe.stmt) != SQLITE_ROW) {
    *error = path + " is not an eiabench worker output (no pages table)";
    return false;
  }
  return true;
}

std::optional<std::vector<StoredPage>> WorkerFileReader::Pages(
    std::string* error) {
  Statement q;
  if (sqlite3_prepare_v2(db_,
                         "SELECT page_id, batch_total, rows, checksum, worker"
                         " FROM pages ORDER BY page_id",
                         -1, &q.stmt, nullptr) != SQLITE_OK) {
    *error = path_ + ": " + sqlite3_errmsg(db_);
    return std::nullopt;
  }
  std::vector<StoredPage> out;
  while (sqlite3_step(q.stmt) == SQLITE_ROW) {
    StoredPage p;
    p.page_id = static_cast<uint64_t>(sqlite3_column_int64(q.stmt, 0));
    p.batch_total = static_cast<uint64_t>(sqlite3_column_int64(q.stmt, 1));
    p.rows = static_cast<uint64_t>(sqlite3_column_int64(q.stmt, 2));
    const char* sum =
        reinterpret_cast<const char*>(sqlite3_column_text(q.stmt, 3));
    p.checksum = sum ? std::stoull(sum, nullptr, 16) : 0;
    const char* worker =
        reinterpret_cast<const char*>(sqlite3_column_text(q.stmt, 4));
    p.worker = worker ? worker : "";
    out.push_back(std::move(p));
  }
  return out;
}

std::optional<std::vector<std::string>> WorkerFileReader::Rows(
    uint64_t page_id, std::string* error) {
  Statement q;
  if (sqlite3_prepare_v2(db_,
                         "SELECT fields FROM rows WHERE page_id=?"
                         " ORDER BY row_index",
                         -1, &q.stmt, nullptr) != SQLITE_OK) {
    *error = path_ + ": " + sqlite3_errmsg(db_);
    return std::nullopt;
  }
  sqlite3_bind_int64(q.stmt, 1, static_cast<sqlite3_int64>(page_id));
  std::vector<std::string> out;
  while (sqlite3_step(q.stmt) == SQLITE_ROW) {
    const char* text =
        reinterpret_cast<const char*>(sqlite3_column_text(q.stmt, 0));
    out.emplace_back(text ? text : "");
  }
  return out;
}

}  // namespace eiabench::scaleout
