// Hostile input: malformed scenario files, command-line flags and API
// responses. Each must give one line naming the problem, the documented exit
// code (harness/common/exit_codes.h), no crash, and never a partial result
// reported as complete.
#include <httplib.h>

#include <catch2/catch.hpp>
#include <sstream>
#include <thread>

#include "harness/client/sinks.h"
#include "harness/common/exit_codes.h"
#include "harness/experiment/runner.h"
#include "tests/reliability/rel_util.h"

using namespace eiabench;
using namespace eiabench::reliability;

namespace {

// Exactly one line of text (one trailing newline, none inside).
bool OneLine(const std::string& text) {
  return !text.empty() && text.back() == '\n' &&
         text.find('\n') == text.size() - 1;
}

constexpr char kGoodScenario[] = R"({
  "name": "hostile-base",
  "description": "a valid scenario the cases below break one field of",
  "target": "sim",
  "workload": {"route": "electricity/rto/fuel-type-data",
               "respondents": ["PACW"], "start": "2024-01-01",
               "end": "2024-01-02", "passes": 1},
  "mock": {"profile": "instant"},
  "settings": {"days_per_batch": 1},
  "matrix": {"axes": {"request_length": [5000, 300]}},
  "limits": [{"window_s": 3600, "limit": 5000}],
  "repetitions": 1,
  "seed": 1
})";

struct ScenarioCase {
  const char* what;
  std::string text;
  const char* names;  // a word the error line must contain
};

// The good scenario with `key` (a JSON pointer) replaced by `value`.
std::string With(const std::string& pointer, const nlohmann::json& value) {
  auto doc = nlohmann::ordered_json::parse(kGoodScenario);
  doc[nlohmann::json::json_pointer(pointer)] = value;
  return doc.dump();
}

std::vector<ScenarioCase> ScenarioCases() {
  std::string deep(100000, '[');
  nlohmann::json huge_axes = nlohmann::json::object();
  for (const char* axis : {"days_per_batch", "request_length", "burst",
                           "max_concurrent_batches", "pool_maxsize"}) {
    huge_axes[axis] = nlohmann::json::array();
    for (int v = 1; v <= 100; ++v) huge_axes[axis].push_back(v);
  }
  return {
      {"an empty file", "", "JSON"},
      {"text that is not JSON", "{\"name\": ", "JSON"},
      {"a top-level array", "[1, 2]", "object"},
      {"deep nesting", deep, "JSON"},
      {"invalid UTF-8", std::string("{\"name\": \"bad\xff\xfe\"}"), "JSON"},
      {"a name of the wrong type", With("/name", 5), "name"},
      {"an unknown top-level key", With("/colour", "blue"), "colour"},
      {"an unknown settings knob", With("/settings/days_per_btch", 3),
       "days_per_btch"},
      {"a negative delay", With("/settings/delay_between_operations_s", -1),
       "delay_between_operations_s"},
      {"zero days per batch", With("/settings/days_per_batch", 0),
       "days_per_batch"},
      {"a string where a number belongs",
       With("/settings/request_length", "lots"), "request_length"},
      {"an empty axis",
       With("/matrix/axes/request_length", nlohmann::json::array()),
       "request_length"},
      {"a huge matrix (10^10 cells)", With("/matrix/axes", huge_axes),
       "matrix"},
      {"zero repetitions", With("/repetitions", 0), "repetitions"},
      {"a billion repetitions", With("/repetitions", 1000000000),
       "repetitions"},
      {"a bad start date", With("/workload/start", "2024-13-45"), "start"},
      {"a start after the end", With("/workload/start", "2024-02-01"), "start"},
      {"respondents as a string", With("/workload/respondents", "PACW"),
       "respondents"},
      {"an unknown route", With("/workload/route", "electricity/nope"),
       "route"},
      {"a negative window", With("/limits/0/window_s", -3600), "window_s"},
      {"a zero time scale", With("/time_scale", 0), "time_scale"},
      {"a negative mock latency", With("/mock/latency_base_s", -0.5),
       "latency_base_s"},
      {"a fault rate above one", With("/mock/fault_rate", 2), "fault_rate"},
      {"an unknown order", With("/order", "sideways"), "order"},
      {"a zip naming no axis",
       With("/matrix/zip",
            nlohmann::json::parse(R"([["nope", "request_length"]])")),
       "nope"},
      {"a workload of the wrong type", With("/workload", 5), "workload"},
      {"a huge number", With("/settings/days_per_batch", 1e300),
       "days_per_batch"},
  };
}

void CheckScenarioCases() {
  std::string dir = FreshDir("hostile-sc");
  int n = 0;
  for (const ScenarioCase& c : ScenarioCases()) {
    std::string path = dir + "/case" + std::to_string(n++) + ".json";
    WriteAll(path, c.text);
    if (std::string(c.what).find("huge matrix") != std::string::npos) {
      // Expanding 10^10 cells would exhaust memory before any error, so the
      // parser alone is asked: it must refuse the matrix.
      experiment::ScenarioError error;
      bool accepted = experiment::ParseScenario(c.text, &error).has_value();
      INFO(c.what << ": " << error.ToString());
      CHECK_FALSE(accepted);
      continue;
    }
    experiment::RunRequest request;
    request.scenario_path = path;
    request.out_dir = dir + "/out";
    std::ostringstream out, err;
    int code = experiment::RunScenario(request, out, err);
    INFO(c.what << " -> exit " << code << ": " << err.str());
    CHECK(code == kExitUsage);
    CHECK(OneLine(err.str()));
    CHECK(err.str().find(c.names) != std::string::npos);
  }
  CHECK_FALSE(std::filesystem::exists(dir + "/out"));  // nothing was run
  WARN("hostile scenarios: " << n << " cases");
}

}  // namespace

TEST_CASE("malformed scenario files are refused with one line and exit 4",
          "[reliability][hostile]") {
  CheckScenarioCases();
}

namespace {

struct FlagCase {
  const char* what;
  std::vector<std::string> args;
  int exit_code;
  const char* names;
};

std::vector<FlagCase> FlagCases(const std::string& dir) {
  std::vector<std::string> extract = {
      "extract",       "--route",       "electricity/rto/region-data",
      "--start",       "2024-01-01T00", "--end",
      "2024-01-01T23", "--base-url",    "http://127.0.0.1:9/v2",
      "--sink",        "null"};
  auto e = [&](std::vector<std::string> more) {
    auto args = extract;
    args.insert(args.end(), more.begin(), more.end());
    return args;
  };
  std::string scenario = dir + "/good.json";
  WriteAll(scenario, kGoodScenario);
  return {
      {"negative days per batch", e({"--days-per-batch", "-3"}), kExitUsage,
       "days_per_batch"},
      {"zero request length", e({"--request-length", "0"}), kExitUsage,
       "request_length"},
      {"zero attempts", e({"--max-attempts", "0"}), kExitUsage, "max_attempts"},
      {"a negative timeout", e({"--timeout", "-1"}), kExitUsage, "timeout"},
      {"zero concurrent batches", e({"--max-concurrent-batches", "0"}),
       kExitUsage, "max_concurrent_batches"},
      {"a facet without values", e({"--facet", "respondent"}), kExitUsage,
       "--facet"},
      {"an unknown planning mode", e({"--planning", "sideways"}), kExitUsage,
       "--planning"},
      {"a start that is no date", e({"--start", "yesterday"}), kExitUsage,
       "start"},
      {"a non-numeric flag value", e({"--burst", "many"}), kExitUsage, "burst"},
      {"a zero time scale", e({"--time-scale", "0"}), kExitUsage,
       "--time-scale"},
      {"an --insecure flag (TLS cannot be turned off)", e({"--insecure"}),
       kExitUsage, "insecure"},
      {"an unwritable output",
       [&] {
         auto args = e({"--out", "/nonexistent-dir/x/out.sqlite"});
         args.erase(args.begin() + 9, args.begin() + 11);  // no --sink null
         return args;
       }(),
       kExitEnvironment, "nonexistent-dir"},
      {"run: zero repetitions",
       {"run", scenario, "--repetitions", "0"},
       kExitUsage,
       "repetitions"},
      {"run: an unknown target",
       {"run", scenario, "--target", "moon"},
       kExitUsage,
       "target"},
      {"run: a bad --set",
       {"run", scenario, "--set", "days_per_batch=-2"},
       kExitUsage,
       "days_per_batch"},
      {"run: a missing file",
       {"run", dir + "/missing.json"},
       kExitUsage,
       "missing.json"},
      {"mock: a probability of 2",
       {"mock", "--fault-reset", "2"},
       kExitUsage,
       "probabilit"},
      {"mock: port 70000", {"mock", "--port", "70000"}, kExitUsage, "port"},
      {"mock: zero threads", {"mock", "--threads", "0"}, kExitUsage, "threads"},
      {"an unknown subcommand", {"explode"}, kExitUsage, "subcommand"},
  };
}

}  // namespace

TEST_CASE("bad command-line flags get one line and the documented code",
          "[reliability][hostile]") {
  std::string dir = FreshDir("hostile-flags");
  ::setenv("EIA_API_KEY", kFakeKey, 1);
  int n = 0;
  for (const FlagCase& c : FlagCases(dir)) {
    std::string out = dir + "/out" + std::to_string(n);
    std::string err = dir + "/err" + std::to_string(n);
    ++n;
    int code = RunEiabench(c.args, out, err);
    std::string text = ReadAll(err);
    INFO(c.what << " -> exit " << code << ": " << text);
    CHECK(code == c.exit_code);
    CHECK(OneLine(text));
    CHECK(text.find(c.names) != std::string::npos);
    CHECK(text.find(kFakeKey) == std::string::npos);
  }
  // No key at all is a usage error too.
  ::unsetenv("EIA_API_KEY");
  auto args = FlagCases(dir)[0].args;
  args.resize(11);
  int code = RunEiabench(args, dir + "/nokey.out", dir + "/nokey.err");
  CHECK(code == kExitUsage);
  CHECK(ReadAll(dir + "/nokey.err").find("EIA_API_KEY") != std::string::npos);
  WARN("hostile flags: " << n + 1 << " cases");
}

namespace {

// An HTTP server on 127.0.0.1 that answers every data request with what
// `answer(offset)` returns; always stopped.
class HostileServer {
 public:
  using Answer = std::function<std::pair<int, std::string>(long offset)>;
  explicit HostileServer(Answer answer) : answer_(std::move(answer)) {
    server_.Get(
        R"(/.*)", [this](const httplib::Request& req, httplib::Response& res) {
          long offset = req.has_param("offset")
                            ? std::strtol(req.get_param_value("offset").c_str(),
                                          nullptr, 10)
                            : 0;
          auto [status, body] = answer_(offset);
          res.status = status;
          res.set_content(body, "application/json");
        });
    port_ = server_.bind_to_any_port("127.0.0.1");
    REQUIRE(port_ > 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // Bounded wait (at most 5 s) for the listener thread to start.
    for (int i = 0; i < 5000 && !server_.is_running(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~HostileServer() {
    server_.stop();
    thread_.join();
  }
  std::string base_url() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/v2";
  }

 private:
  Answer answer_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

std::string Row(int hour) {
  return "{\"period\":\"2024-01-01T" + std::string(hour < 10 ? "0" : "") +
         std::to_string(hour) +
         "\",\"respondent\":\"PJM\",\"respondent-name\":\"PJM\","
         "\"type\":\"D\",\"type-name\":\"Demand\",\"value\":\"1\","
         "\"value-units\":\"megawatthours\"}";
}

std::string Page(const std::string& total, int first, int count) {
  std::string data;
  for (int i = first; i < first + count; ++i)
    data += (data.empty() ? "" : ",") + Row(i);
  return "{\"response\":{\"total\":" + total + ",\"data\":[" + data + "]}}";
}

struct ResponseCase {
  const char* what;
  HostileServer::Answer answer;
  int exit_code;
};

std::vector<ResponseCase> ResponseCases() {
  auto fixed = [](int status, std::string body) {
    return [status, body](long) { return std::make_pair(status, body); };
  };
  std::string deep = "{\"response\":{\"total\":1,\"data\":[{\"value\":" +
                     std::string(5000, '[') + std::string(5000, ']') + "}]}}";
  return {
      {"an empty body", fixed(200, ""), kExitInvalidRun},
      {"an HTML page", fixed(200, "<html><body>hi</body></html>"),
       kExitInvalidRun},
      {"a top-level array", fixed(200, "[]"), kExitInvalidRun},
      {"an envelope without response", fixed(200, "{\"data\":[]}"),
       kExitInvalidRun},
      {"a response without total", fixed(200, "{\"response\":{\"data\":[]}}"),
       kExitInvalidRun},
      {"a total that is not a number", fixed(200, Page("\"many\"", 0, 2)),
       kExitInvalidRun},
      {"a negative total", fixed(200, Page("-5", 0, 2)), kExitInvalidRun},
      {"a total beyond 2^64", fixed(200, Page("1e30", 0, 2)), kExitInvalidRun},
      {"data that is not an array",
       fixed(200, "{\"response\":{\"total\":1,\"data\":{}}}"), kExitInvalidRun},
      {"rows that are not objects",
       fixed(200, "{\"response\":{\"total\":2,\"data\":[1,2]}}"),
       kExitInvalidRun},
      {"a value that is an object",
       fixed(200,
             "{\"response\":{\"total\":1,\"data\":[{\"value\":{\"x\":1}}]}}"),
       kExitInvalidRun},
      {"deep nesting inside a row", fixed(200, deep), kExitInvalidRun},
      {"invalid UTF-8 in a value",
       fixed(200,
             "{\"response\":{\"total\":1,\"data\":[{\"value\":\"\xff\xfe"
             "\"}]}}"),
       kExitInvalidRun},
      // A number is kept verbatim as its JSON text, so 1e999 is one
      // complete row, not an overflow.
      {"a huge number value (kept as text)",
       fixed(200, "{\"response\":{\"total\":1,\"data\":[{\"value\":1e999}]}}"),
       kExitOk},
      {"a truncated document", fixed(200, Page("6", 0, 6).substr(0, 200)),
       kExitInvalidRun},
      {"a total that promises more rows than come",
       [](long offset) {
         return std::make_pair(
             200, offset == 0 ? Page("12", 0, 6) : Page("12", 0, 0));
       },
       kExitInvalidRun},
      {"a total smaller than the rows sent", fixed(200, Page("3", 0, 6)),
       kExitInvalidRun},
      {"the same rows on every page (a lying offset)",
       fixed(200, Page("24", 0, 6)), kExitInvalidRun},
      {"a 400 with the API's error body",
       fixed(400, "{\"error\":\"Invalid frequency.\",\"code\":400}"),
       kExitApiRejected},
      {"a 404", fixed(404, "{\"error\":\"Not found\"}"), kExitApiRejected},
  };
}

}  // namespace

TEST_CASE("hostile responses end with a clear error, never a false success",
          "[reliability][hostile]") {
  int n = 0;
  for (const ResponseCase& c : ResponseCases()) {
    HostileServer server(c.answer);
    ExtractOptions o = SmallJob(server.base_url());
    o.facets = {{"respondent", {"PJM"}}, {"type", {"D"}}};
    o.end = "2024-01-01T23";
    o.max_attempts = 2;
    NullSink sink;
    ExtractSummary s = RunExtract(o, sink);
    INFO(c.what << " -> exit " << s.exit_code << ": " << s.error);
    CHECK(s.exit_code == c.exit_code);
    CHECK(s.error.empty() == (c.exit_code == kExitOk));
    CHECK(s.error.find('\n') == std::string::npos);
    CHECK(s.error.find(kFakeKey) == std::string::npos);
    ++n;
  }
  WARN("hostile responses: " << n << " cases");
}
