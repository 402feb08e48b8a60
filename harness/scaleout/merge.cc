#include "harness/scaleout/merge.h"

#include <cstdio>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "harness/client/extractor.h"
#include "harness/common/exit_codes.h"
#include "harness/scaleout/job_queue.h"
#include "harness/scaleout/worker_sink.h"

namespace eiabench::scaleout {
namespace {

struct Source {
  size_t file = 0;
  StoredPage page;
};

// Recomputes the contract's hash of every stored row of a page.
bool HashRows(const std::vector<std::string>& rows, uint64_t* sum,
              std::string* error) {
  PageRows parsed;
  for (const std::string& text : rows) {
    auto j = nlohmann::ordered_json::parse(text, nullptr, false);
    if (!j.is_object()) {
      *error = "a stored row is not a JSON object";
      return false;
    }
    parsed.BeginRow();
    for (const auto& [key, value] : j.items()) {
      if (value.is_null()) {
        parsed.AddField(key, "", true);
      } else if (value.is_string()) {
        parsed.AddField(key, value.get_ref<const std::string&>(), false);
      } else {
        *error = "a stored row holds a non-string value";
        return false;
      }
    }
  }
  *sum = 0;
  for (size_t i = 0; i < parsed.size(); ++i) *sum += RowHash(parsed, i);
  return true;
}

// Which file supplies each page; duplicates must agree.
bool ChooseSources(std::vector<std::unique_ptr<WorkerFileReader>>& files,
                   std::map<uint64_t, Source>* chosen, MergeResult* out) {
  for (size_t f = 0; f < files.size(); ++f) {
    std::string error;
    auto pages = files[f]->Pages(&error);
    if (!pages) {
      out->exit_code = kExitUsage;
      out->error = error;
      return false;
    }
    for (const StoredPage& p : *pages) {
      auto [it, fresh] = chosen->emplace(p.page_id, Source{f, p});
      if (fresh) continue;
      ++out->duplicate_pages;
      if (it->second.page.rows != p.rows ||
          it->second.page.checksum != p.checksum) {
        out->exit_code = kExitInvalidRun;
        out->error = "page " + std::to_string(p.page_id) +
                     " differs between worker files (" +
                     it->second.page.worker + " and " + p.worker + ")";
        return false;
      }
    }
  }
  return true;
}

bool CheckAgainstJob(const MergeOptions& o,
                     const std::map<uint64_t, Source>& chosen,
                     MergeResult* out) {
  RedisClient client(*o.redis);
  JobQueue queue(client, o.job, RedisRetryPolicy{});
  std::string error;
  auto status = queue.Status(&error);
  if (!status) {
    out->exit_code = kExitEnvironment;
    out->error = error;
    return false;
  }
  if (!status->complete()) {
    out->exit_code = kExitInvalidRun;
    out->error = "job '" + o.job +
                 "' is not complete: " + std::to_string(status->pages_done) +
                 " of " + std::to_string(status->pages_total) + " pages done";
    return false;
  }
  if (chosen.size() != status->pages_done || out->rows != status->rows) {
    out->exit_code = kExitInvalidRun;
    out->error = "worker files hold " + std::to_string(chosen.size()) +
                 " pages and " + std::to_string(out->rows) +
                 " rows; the job acknowledged " +
                 std::to_string(status->pages_done) + " pages and " +
                 std::to_string(status->rows) +
                 " rows (a worker file is "
                 "missing?)";
    return false;
  }
  return true;
}

}  // namespace

MergeResult Merge(const MergeOptions& o) {
  MergeResult out;
  std::vector<std::unique_ptr<WorkerFileReader>> files;
  for (const std::string& path : o.inputs) {
    files.push_back(std::make_unique<WorkerFileReader>());
    std::string error;
    if (!files.back()->Open(path, &error)) {
      out.exit_code = kExitUsage;
      out.error = error;
      return out;
    }
  }
  std::map<uint64_t, Source> chosen;
  if (!ChooseSources(files, &chosen, &out)) return out;

  std::FILE* sink = nullptr;
  if (!o.out_path.empty()) {
    sink = std::fopen(o.out_path.c_str(), "w");
    if (sink == nullptr) {
      out.exit_code = kExitEnvironment;
      out.error = "cannot write " + o.out_path;
      return out;
    }
  }
  for (const auto& [page_id, source] : chosen) {
    std::string error;
    auto rows = files[source.file]->Rows(page_id, &error);
    uint64_t sum = 0;
    if (!rows || !HashRows(*rows, &sum, &error) ||
        rows->size() != source.page.rows || sum != source.page.checksum) {
      out.exit_code = kExitInvalidRun;
      out.error = "page " + std::to_string(page_id) + " in " +
                  o.inputs[source.file] + " is corrupt" +
                  (error.empty() ? "" : ": " + error);
      break;
    }
    for (const std::string& row : *rows) {
      if (sink != nullptr) std::fprintf(sink, "%s\n", row.c_str());
    }
    out.rows += rows->size();
    out.checksum += sum;
    ++out.pages;
  }
  if (sink != nullptr && std::fclose(sink) != 0 && out.exit_code == 0) {
    out.exit_code = kExitEnvironment;
    out.error = "cannot finish writing " + o.out_path;
  }
  out.checksum_hex = ChecksumHex(out.checksum);
  if (out.exit_code == 0 && o.redis) CheckAgainstJob(o, chosen, &out);
  return out;
}

}  // namespace eiabench::scaleout
