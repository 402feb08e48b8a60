// Shared helpers of the reliability tests: an in-process mock that is
// always stopped, the mock's truth for an extraction, child processes of
// the eiabench binary, temporary directories and file checks.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "harness/client/extractor.h"
#include "mock_server/server.h"

namespace eiabench::reliability {

// A fake key that is easy to search for in every artefact.
inline constexpr char kFakeKey[] = "RELIABILITYfakeKEY-7f3e9a1c5b2d";

// A started mock on 127.0.0.1 with an ephemeral port; stopped on
// destruction.
class LiveMock {
 public:
  explicit LiveMock(mock::ServerOptions options);
  ~LiveMock();
  mock::MockServer& server() { return server_; }
  std::string base_url() const { return server_.base_url(); }

 private:
  mock::MockServer server_;
};

// Mock options for tests: few threads, short keep-alive, instant profile.
mock::ServerOptions SmallMockOptions(uint64_t seed);

// The extraction workload of the fault matrix: region-data, PJM demand and
// natural gas, 2024-01-01..01-25 (1200 rows) in 6-row pages (200 pages).
ExtractOptions SmallJob(const std::string& base_url);

// Rows and checksum the mock holds for the whole range of `options`.
mock::EiaModel::Truth TruthOf(mock::MockServer& server,
                              const ExtractOptions& options);

// Runs an extraction in-process over real HTTP on a real clock.
ExtractSummary RunExtract(const ExtractOptions& options, RowSink& sink);

// Data-route requests the mock answered with `status` (stats by route).
int64_t MockStatusCount(mock::MockServer& server, int status);
// Faults of kind `name` the mock injected ("reset", "stall", ...).
int64_t MockFaultCount(mock::MockServer& server, const std::string& name);
int64_t MockDataRequests(mock::MockServer& server);

// A fresh, empty directory under the system temp dir.
std::string FreshDir(const std::string& name);
std::string ReadAll(const std::string& path);
void WriteAll(const std::string& path, const std::string& text);

// Starts the eiabench binary with `args`; stdout and stderr are appended
// to the given files. Returns the pid.
pid_t SpawnEiabench(const std::vector<std::string>& args,
                    const std::string& out_path, const std::string& err_path);
// Waits for `pid`; the exit code, or 128 + signal.
int WaitExit(pid_t pid);
// Runs to completion (bounded by the child's own timeouts).
int RunEiabench(const std::vector<std::string>& args,
                const std::string& out_path, const std::string& err_path);

// Rows and checksum of a SQLite output, recomputed from its columns.
std::pair<uint64_t, std::string> SqliteTruth(const std::string& path,
                                             const std::string& table);

// The command-line flags of SmallJob-like options for `eiabench extract`.
std::vector<std::string> ExtractArgs(const ExtractOptions& options,
                                     const std::string& out);

}  // namespace eiabench::reliability
