#include "mock_server/eia_model.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <deque>
#include <map>
#include <stdexcept>
#include <unordered_map>

#include "mock_server/catalog.h"
#include "mock_server/json_text.h"
#include "mock_server/query.h"
#include "mock_server/result_set.h"

namespace eiabench::mock {
namespace {

using Json = nlohmann::ordered_json;
using std::chrono::nanoseconds;

constexpr std::string_view kApiVersion = "2.1.8";
constexpr std::string_view kExcelVersion = "2.1.0";
constexpr std::string_view kRtoPrefix = "/v2/electricity/rto/";
constexpr std::string_view kTruncationText =
    "The API can only return 5000 rows in JSON format.  Please consider "
    "constraining your request with facet, start, or end, or using offset "
    "to paginate results.";

int64_t ToNanos(double seconds) {
  return static_cast<int64_t>(std::llround(seconds * 1e9));
}

uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

double Unit(uint64_t h) { return static_cast<double>(h >> 11) * 0x1.0p-53; }

std::string Hex16(uint64_t v) {
  char buf[20];
  std::snprintf(buf, sizeof(buf), "%016llx",
                static_cast<unsigned long long>(v));
  return buf;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

const std::string* FindHeader(const MockRequest& request,
                              std::string_view name) {
  for (const auto& [key, value] : request.headers) {
    if (EqualsIgnoreCase(key, name)) return &value;
  }
  return nullptr;
}

// The path without trailing slashes ("/v2/electricity/rto/").
std::string_view TrimSlashes(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  return path;
}

MockResponse JsonAnswer(int status, std::string body) {
  MockResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = {{"Content-Type", "application/json"}};
  return r;
}

// The API's own errors: {"error":"...","code":400}.
MockResponse ApiError(int status, const std::string& message) {
  std::string body = "{\"error\":";
  AppendQuoted(body, message);
  body += ",\"code\":" + std::to_string(status) + "}";
  return JsonAnswer(status, std::move(body));
}

// The api-umbrella gateway's errors: {"error":{"code":...,"message":...}}.
MockResponse GatewayError(int status, const char* code, const char* message) {
  Json body = {{"error", {{"code", code}, {"message", message}}}};
  return JsonAnswer(status, body.dump());
}

// Everything a response envelope needs after "response":{...}.
std::string EnvelopeTail(std::string_view command, const Json& params) {
  std::string out = ",\"request\":{\"command\":";
  AppendQuoted(out, command);
  out += ",\"params\":";
  out += PhpDump(params);
  out += "},\"apiVersion\":\"";
  out += kApiVersion;
  out += "\",\"ExcelAddInVersion\":\"";
  out += kExcelVersion;
  out += "\"}";
  return out;
}

std::string Envelope(const Json& response, std::string_view command,
                     const Json& params) {
  return "{\"response\":" + PhpDump(response) + EnvelopeTail(command, params);
}

struct Listing {
  const char* id;
  const char* name;
  const char* description;
};

MockResponse ListingAnswer(std::string_view command, const char* id,
                           const char* name, const char* description,
                           const std::vector<Listing>& routes) {
  Json response = {{"id", id}, {"name", name}, {"description", description}};
  Json list = Json::array();
  for (const Listing& l : routes) {
    list.push_back(
        {{"id", l.id}, {"name", l.name}, {"description", l.description}});
  }
  response["routes"] = list;
  return JsonAnswer(200, Envelope(response, command, Json::object()));
}

MockResponse RootListing() {
  return ListingAnswer(
      "/v2/", "", "",
      "EIA's Open Data API v2 (mock served by eiabench: only "
      "electricity/rto is populated).",
      {{"electricity", "Electricity",
        "EIA electricity survey data: generation, sales, prices, grid "
        "operations."}});
}

MockResponse ElectricityListing() {
  return ListingAnswer(
      "/v2/electricity/", "electricity", "Electricity",
      "EIA electricity survey data: generation, sales, prices, grid "
      "operations.",
      {{"rto", "Electric Power Operations (Daily and Hourly)",
        "Hourly and daily electric grid operations data: demand, forecast, "
        "net generation and interchange by balancing authority. Source: "
        "Form EIA-930. Product: Hourly Electric Grid Monitor."}});
}

MockResponse RtoListing() {
  std::vector<Listing> routes;
  for (const Route& r : Routes()) {
    routes.push_back({r.id.c_str(), r.name.c_str(), r.description.c_str()});
  }
  return ListingAnswer(
      "/v2/electricity/rto/", "rto",
      "Electric Power Operations (Daily and Hourly)",
      "Hourly and daily electric grid operations data: demand, forecast, net "
      "generation and interchange by balancing authority.  \n    Source: "
      "Form EIA-930\n    Product: Hourly Electric Grid Monitor",
      routes);
}

Json FrequencyList(const Route& route) {
  if (route.daily) {
    return Json::array({{{"id", "daily"},
                         {"alias", "daily"},
                         {"description", "One data point for each day."},
                         {"query", "D"},
                         {"format", "YYYY-MM-DD"}}});
  }
  return Json::array(
      {{{"id", "hourly"},
        {"alias", "hourly (UTC)"},
        {"description", "One data point for each hour in UTC time."},
        {"query", "H"},
        {"format", "YYYY-MM-DD\"T\"HH24"}},
       {{"id", "local-hourly"},
        {"alias", "hourly (Local Time Zone)"},
        {"description", "One data point for each hour in local time."},
        {"query", "LH"},
        {"format", "YYYY-MM-DD\"T\"HH24TZH"}}});
}

const char* DateFormat(const Route& route) {
  return route.daily ? "YYYY-MM-DD" : "YYYY-MM-DD\"T\"HH24";
}

const char* DateFormat(const DataQuery& query) {
  return query.local_time ? "YYYY-MM-DD\"T\"HH24TZH" : DateFormat(*query.route);
}

MockResponse MetadataAnswer(const Route& route, std::string_view command) {
  Json facets = Json::array();
  for (const FacetDef& f : route.facets) {
    facets.push_back({{"id", f.id}, {"description", f.description}});
  }
  Json response = {
      {"id", route.id},
      {"name", route.name},
      {"description", route.description},
      {"frequency", FrequencyList(route)},
      {"facets", facets},
      {"data",
       {{"value",
         {{"aggregation-method", "SUM"},
          {"alias", route.data_alias},
          {"units", "megawatthours"}}}}},
      {"startPeriod", FormatPeriod(route.first_period, route.daily)},
      {"endPeriod", FormatPeriod(route.last_period, route.daily)},
      {"defaultDateFormat", DateFormat(route)},
      {"defaultFrequency", route.daily ? "daily" : "hourly"}};
  return JsonAnswer(200, Envelope(response, command, Json::object()));
}

MockResponse FacetListAnswer(const Route& route, std::string_view command) {
  Json options = Json::array();
  for (const FacetDef& f : route.facets) options.push_back(f.id);
  Json response = {{"totalFacetOptions", route.facets.size()},
                   {"facetOptions", options}};
  return JsonAnswer(200, Envelope(response, command, Json::object()));
}

MockResponse FacetValuesAnswer(const Route& route, std::string_view facet_id,
                               std::string_view command) {
  for (const FacetDef& f : route.facets) {
    if (f.id != facet_id) continue;
    Json values = Json::array();
    for (const FacetValue& v : f.values) {
      values.push_back({{"id", v.id},
                        {"name", v.name},
                        {"alias", "(" + v.id + ") " + v.name}});
    }
    Json response = {{"totalFacets", f.values.size()}, {"facets", values}};
    return JsonAnswer(200, Envelope(response, command, Json::object()));
  }
  std::vector<std::string> ids;
  std::string list;
  for (size_t i = 0; i < route.facets.size(); ++i) {
    if (i > 0) list += ", ";
    if (i > 0 && i + 1 == route.facets.size()) list += "and ";
    list += "'" + route.facets[i].id + "'";
  }
  return ApiError(400, "Invalid facet '" + std::string(facet_id) +
                           "' provided. The only valid facets are " + list +
                           ".");
}

// Gathers the parameters of a request from its three possible sources.
bool CollectParams(const MockRequest& request, RawParams* params,
                   std::string* error) {
  *params = ParseQueryString(request.query);
  if (const std::string* x = FindHeader(request, "X-Params")) {
    if (!MergeJsonParams(*x, *params, error)) return false;
  }
  if (request.method == "POST" && !request.body.empty()) {
    if (!MergeJsonParams(request.body, *params, error)) return false;
  }
  if (const std::string* key = FindHeader(request, "X-Api-Key")) {
    if (!params->api_key || params->api_key->empty()) params->api_key = *key;
  }
  return true;
}

// Where a request path points inside /v2/electricity/rto/.
struct RtoTarget {
  const Route* route = nullptr;
  enum Kind { kMetadata, kData, kFacetList, kFacetValues } kind = kMetadata;
  std::string facet_id;
};

std::optional<RtoTarget> ParseRtoPath(std::string_view path) {
  if (path.substr(0, kRtoPrefix.size()) != kRtoPrefix) return std::nullopt;
  std::string_view rest = TrimSlashes(path.substr(kRtoPrefix.size()));
  std::vector<std::string_view> parts;
  while (!rest.empty()) {
    size_t slash = rest.find('/');
    parts.push_back(rest.substr(0, slash));
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  if (parts.empty() || parts.size() > 3) return std::nullopt;
  RtoTarget t;
  t.route = FindRoute(parts[0]);
  if (t.route == nullptr) return std::nullopt;
  if (parts.size() == 1) return t;
  if (parts.size() == 2 && parts[1] == "data") {
    t.kind = RtoTarget::kData;
    return t;
  }
  if (parts[1] != "facet") return std::nullopt;
  if (parts.size() == 2) {
    t.kind = RtoTarget::kFacetList;
    return t;
  }
  t.kind = RtoTarget::kFacetValues;
  t.facet_id = std::string(parts[2]);
  return t;
}

// One sliding window of a key. Both deques hold timestamps in model time,
// oldest first, and both are bounded:
//  - `admitted` keeps at most `limit` timestamps (none when the window is not
//    enforced). The limiter only asks "are there >= limit admitted requests
//    in (t - W, t]?" and, for Retry-After, "when does the oldest of the last
//    `limit` leave?"; the most recent `limit` admitted timestamps answer
//    both exactly.
//  - `arrivals` keeps at most `arrival_cap` timestamps (ArrivalCap()). The
//    count in the window is exact while it stays below the cap; at the cap
//    the window is marked saturated and the oldest is dropped.
struct Window {
  int64_t length_ns = 0;
  int64_t limit = 0;  // 0: not enforced, only measured
  size_t arrival_cap = 0;
  std::deque<int64_t> admitted;
  std::deque<int64_t> arrivals;
};

void Expire(std::deque<int64_t>& times, int64_t now, int64_t length_ns) {
  // The window is (now - length, now]: a request exactly one window ago has
  // left it.
  while (!times.empty() && times.front() <= now - length_ns) times.pop_front();
}

// Records an admitted (or, with count_rejected, a rejected) request, keeping
// only the most recent `limit` timestamps.
void RecordAdmitted(Window& w, int64_t t) {
  if (w.limit <= 0) return;
  w.admitted.push_back(t);
  while (static_cast<int64_t>(w.admitted.size()) > w.limit) {
    w.admitted.pop_front();
  }
}

struct KeyState {
  std::vector<Window> windows;
  int64_t suspended_until = INT64_MIN;
  int64_t last_arrival = INT64_MIN;
};

// True when the key has no arrival in any window and no suspension at `t`:
// dropping it changes no answer and no statistic.
bool KeyIsIdle(KeyState& ks, int64_t t) {
  if (ks.suspended_until > t) return false;
  for (Window& w : ks.windows) {
    Expire(w.arrivals, t, w.length_ns);
    if (!w.arrivals.empty()) return false;
  }
  return true;
}

// The earliest model time at which the key can become idle.
int64_t IdleFrom(const KeyState& ks) {
  int64_t longest = 0;
  for (const Window& w : ks.windows) longest = std::max(longest, w.length_ns);
  int64_t from =
      ks.last_arrival == INT64_MIN ? INT64_MIN : ks.last_arrival + longest;
  return std::max(from, ks.suspended_until);
}

// The route's description as a quoted JSON string, escaped once.
const std::string& QuotedDescription(const Route& route) {
  static const std::vector<std::string> quoted = [] {
    std::vector<std::string> all;
    for (const Route& r : Routes()) {
      all.emplace_back();
      AppendQuoted(all.back(), r.description);
    }
    return all;
  }();
  return quoted[&route - Routes().data()];
}

MockResponse DataAnswer(const DataQuery& query, const Json& echo,
                        std::string_view command, const ModelOptions& opt) {
  ResultSet rows(query, opt.seed, opt.null_rate);
  if (rows.value_sort_too_large()) return ApiError(400, rows.ValueSortError());
  const uint64_t total = rows.total();
  const uint64_t offset = static_cast<uint64_t>(query.offset);
  const uint64_t remaining = offset < total ? total - offset : 0;
  const uint64_t count =
      std::min<uint64_t>(remaining, static_cast<uint64_t>(query.length));

  std::string body;
  body.reserve(count * 190 + 1024);
  // The recorded RTO responses put warnings first, at the top level.
  // "incomplete return" whenever rows remain past this page; "parameter out
  // of range" when more than 5,000 rows were asked for.
  static const std::string truncation = [] {
    std::string quoted;
    AppendQuoted(quoted, kTruncationText);
    return quoted;
  }();
  bool incomplete = offset + count < total;
  if (incomplete || query.length_over_cap) {
    body += "{\"warnings\":[";
    if (incomplete) {
      body += "{\"warning\":\"incomplete return\",\"description\":";
      body += truncation;
      body += "}";
    }
    if (query.length_over_cap) {
      if (incomplete) body += ",";
      body += "{\"warning\":\"parameter out of range\",\"description\":";
      body += truncation;
      body += "}";
    }
    body += "],\"response\":{\"total\":\"";
  } else {
    body += "{\"response\":{\"total\":\"";
  }
  body += std::to_string(total);
  body += "\",\"dateFormat\":";
  AppendQuoted(body, DateFormat(query));
  body += ",\"frequency\":";
  AppendQuoted(body, query.frequency);
  body += ",\"data\":[";
  uint64_t written = rows.AppendRows(body, offset, count);
  body += "],\"description\":";
  body += QuotedDescription(*query.route);
  body += "}";
  body += EnvelopeTail(command, echo);
  MockResponse r = JsonAnswer(200, std::move(body));
  r.rows = written;
  return r;
}

}  // namespace

const char* FaultKindName(FaultKind kind) {
  switch (kind) {
    case FaultKind::kNone:
      return "none";
    case FaultKind::kServerError:
      return "server_error";
    case FaultKind::kUnavailable:
      return "unavailable";
    case FaultKind::kStall:
      return "stall";
    case FaultKind::kReset:
      return "reset";
    case FaultKind::kTruncated:
      return "truncated";
    case FaultKind::kMalformedJson:
      return "malformed_json";
  }
  return "none";
}

bool LatencyProfileByName(const std::string& name, LatencyProfile* out) {
  if (name == "instant") {
    *out = LatencyProfile{};
    return true;
  }
  if (name == "eia") {
    // The seed's recordings: ~0.25-0.3 s for small pages, ~1 s for 5,000
    // rows; a fresh TLS connection to a far host adds ~150 ms.
    *out = LatencyProfile{"eia", 220, 140, 150, 60};
    return true;
  }
  return false;
}

struct EiaModel::State {
  mutable std::mutex mu;
  int64_t last_now = INT64_MIN;
  uint64_t request_counter = 0;
  std::unordered_map<std::string, KeyState> keys;
  // No idle key can be dropped before this model time (see AdmitKey).
  int64_t next_sweep = INT64_MIN;
  std::vector<int64_t> max_arrivals;  // per window
  std::vector<bool> saturated;        // per window: a count reached the cap
  std::map<std::string, std::map<int, uint64_t>> by_route_status;
  std::map<std::string, uint64_t> faults;
  uint64_t requests = 0;
  uint64_t new_connections = 0;
  uint64_t rows = 0;
  uint64_t bytes = 0;
};

EiaModel::EiaModel(ModelOptions options)
    : options_(std::move(options)), state_(std::make_unique<State>()) {
  Reset();
}

EiaModel::~EiaModel() = default;

void EiaModel::Reset() {
  std::lock_guard<std::mutex> lock(state_->mu);
  State& s = *state_;
  s.last_now = INT64_MIN;
  s.request_counter = 0;
  s.keys.clear();
  s.next_sweep = INT64_MIN;
  s.max_arrivals.assign(2, 0);
  s.saturated.assign(2, false);
  s.by_route_status.clear();
  s.faults.clear();
  s.requests = s.new_connections = s.rows = s.bytes = 0;
}

namespace {

std::vector<Window> MakeWindows(const RateLimitOptions& rl) {
  // Window 0 is the main (hourly) window, window 1 the one-second burst
  // window. Both are always measured; each is enforced only with a limit.
  std::vector<Window> w(2);
  w[0].length_ns = ToNanos(rl.window_s);
  w[0].limit = rl.limit;
  w[1].length_ns = 1'000'000'000;
  w[1].limit = rl.burst_per_second;
  for (Window& window : w) window.arrival_cap = ArrivalCap(window.limit);
  return w;
}

// The state of `key`, created when there is room. At kMaxKeys live keys
// the idle ones (no arrival in any window, not suspended) are dropped
// first; the sweep runs only once some key can have become idle since the
// last one, so a flood of new keys costs one map lookup each, not a scan.
// Returns nullptr when every slot is held by a key that is still active.
KeyState* FindOrAddKey(std::unordered_map<std::string, KeyState>& keys,
                       int64_t* next_sweep, size_t max_keys,
                       const std::string& key, int64_t t) {
  auto it = keys.find(key);
  if (it != keys.end()) return &it->second;
  if (keys.size() >= max_keys && t >= *next_sweep) {
    int64_t earliest = INT64_MAX;
    for (auto k = keys.begin(); k != keys.end();) {
      if (KeyIsIdle(k->second, t)) {
        k = keys.erase(k);
      } else {
        earliest = std::min(earliest, IdleFrom(k->second));
        ++k;
      }
    }
    *next_sweep = earliest;
  }
  if (keys.size() >= max_keys) return nullptr;
  return &keys[key];
}

std::string RouteLabel(std::string_view path) {
  auto target = ParseRtoPath(path);
  if (!target) {
    std::string_view p = TrimSlashes(path);
    if (p == "/v2" || p == "/v2/electricity" || p == "/v2/electricity/rto") {
      return "listing";
    }
    return "unknown";
  }
  switch (target->kind) {
    case RtoTarget::kData:
      return target->route->id + "/data";
    case RtoTarget::kMetadata:
      return target->route->id + "/metadata";
    default:
      return target->route->id + "/facet";
  }
}

// Counts an arrival of the key at `t` in every window (the statistic) and
// says whether any enforced window already holds `limit` admitted requests.
bool CountArrival(KeyState& ks, int64_t t, std::vector<int64_t>* max_arrivals,
                  std::vector<bool>* saturated) {
  bool over = false;
  for (size_t i = 0; i < ks.windows.size(); ++i) {
    Window& w = ks.windows[i];
    Expire(w.arrivals, t, w.length_ns);
    if (w.arrivals.size() >= w.arrival_cap) {
      // From here the count is only known to be >= the cap.
      (*saturated)[i] = true;
      w.arrivals.pop_front();
    }
    w.arrivals.push_back(t);
    (*max_arrivals)[i] =
        std::max<int64_t>((*max_arrivals)[i], w.arrivals.size());
    Expire(w.admitted, t, w.length_ns);
    if (w.limit > 0 && static_cast<int64_t>(w.admitted.size()) >= w.limit) {
      over = true;
    }
  }
  return over;
}

// Model nanoseconds until every full window has room again if the key
// stays silent: the oldest of the last `limit` counted requests leaves.
int64_t RetryAfterNs(const KeyState& ks, int64_t t) {
  int64_t retry_ns = 0;
  for (const Window& w : ks.windows) {
    if (w.limit > 0 && static_cast<int64_t>(w.admitted.size()) >= w.limit) {
      retry_ns = std::max(retry_ns, w.admitted.front() + w.length_ns - t);
    }
  }
  return retry_ns;
}

}  // namespace

MockResponse EiaModel::Handle(const MockRequest& request, nanoseconds now) {
  if (request.path.rfind("/_mock/", 0) == 0 || request.path == "/_mock") {
    return HandleControl(request, now);
  }
  MockResponse response = HandleApi(request, now);
  std::lock_guard<std::mutex> lock(state_->mu);
  State& s = *state_;
  s.requests++;
  if (request.new_connection) s.new_connections++;
  s.by_route_status[RouteLabel(request.path)][response.status]++;
  s.rows += response.rows;
  s.bytes += response.body.size();
  if (response.fault != FaultKind::kNone)
    s.faults[FaultKindName(response.fault)]++;
  return response;
}

MockResponse EiaModel::HandleApi(const MockRequest& request, nanoseconds now) {
  RawParams params;
  std::string param_error;
  bool params_ok = CollectParams(request, &params, &param_error);

  // The gateway first: key present, key known, rate limit.
  if (!params.api_key || params.api_key->empty()) {
    return GatewayError(403, "API_KEY_MISSING",
                        "No api_key was supplied.  Please register for one "
                        "at https://www.eia.gov/opendata/register.php");
  }
  const std::string& key = *params.api_key;
  if (!options_.api_keys.empty() &&
      std::find(options_.api_keys.begin(), options_.api_keys.end(), key) ==
          options_.api_keys.end()) {
    return GatewayError(403, "API_KEY_INVALID",
                        "An invalid api_key was supplied. Get one at "
                        "https://www.eia.gov/opendata/register.php");
  }

  const RateLimitOptions& rl = options_.rate_limit;
  std::vector<std::pair<std::string, std::string>> limit_headers;
  uint64_t request_number = 0;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    State& s = *state_;
    // Threads read the clock before taking the lock; keep time monotonic so
    // the windows stay sorted.
    int64_t t = std::max<int64_t>(now.count(), s.last_now);
    s.last_now = t;
    request_number = s.request_counter++;
    size_t max_keys = std::max(kMaxKeys, options_.api_keys.size());
    KeyState* found = FindOrAddKey(s.keys, &s.next_sweep, max_keys, key, t);
    if (found == nullptr) {
      return GatewayError(403, "API_KEY_INVALID",
                          "Too many distinct api_keys in use: the mock keeps "
                          "state for at most 256 keys with requests in the "
                          "last hour window. Reuse a key or start the mock "
                          "with --api-key.");
    }
    KeyState& ks = *found;
    if (ks.windows.empty()) ks.windows = MakeWindows(rl);
    ks.last_arrival = t;
    bool over = CountArrival(ks, t, &s.max_arrivals, &s.saturated);
    bool suspended = ks.suspended_until > t;
    if ((!over && !suspended) || rl.count_rejected) {
      for (Window& w : ks.windows) RecordAdmitted(w, t);
    }
    // After recording: with count_rejected this rejection counts too.
    int64_t retry_ns = over ? RetryAfterNs(ks, t) : 0;
    if (rl.headers && rl.limit > 0) {
      int64_t remaining = std::max<int64_t>(
          0, rl.limit - static_cast<int64_t>(ks.windows[0].admitted.size()));
      limit_headers.push_back({"X-RateLimit-Limit", std::to_string(rl.limit)});
      limit_headers.push_back(
          {"X-RateLimit-Remaining", std::to_string(remaining)});
    }
    if (suspended || (over && rl.suspend)) {
      if (!suspended) ks.suspended_until = t + ToNanos(rl.suspend_s);
      MockResponse r = GatewayError(
          403, "API_KEY_DISABLED",
          "The api_key supplied has been disabled. Please contact us at "
          "https://api.data.gov/contact for assistance");
      r.headers.insert(r.headers.end(), limit_headers.begin(),
                       limit_headers.end());
      return r;
    }
    if (over) {
      MockResponse r = GatewayError(
          429, "OVER_RATE_LIMIT",
          "You have exceeded your rate limit. Try again later or contact us "
          "at https://api.data.gov/contact for assistance");
      r.headers.insert(r.headers.end(), limit_headers.begin(),
                       limit_headers.end());
      if (rl.headers) {
        int64_t seconds = (retry_ns + 999'999'999) / 1'000'000'000;
        r.headers.push_back({"Retry-After", std::to_string(seconds)});
      }
      return r;
    }
  }

  // Behind the gateway: faults, then the API itself.
  const FaultOptions& fo = options_.faults;
  uint64_t draw_base = Mix(options_.seed ^ Mix(request_number + 1));
  double u = Unit(draw_base);
  FaultKind fault = FaultKind::kNone;
  double edge = 0;
  for (auto [p, kind] :
       {std::pair{fo.server_error, FaultKind::kServerError},
        std::pair{fo.unavailable, FaultKind::kUnavailable},
        std::pair{fo.stall, FaultKind::kStall},
        std::pair{fo.reset, FaultKind::kReset},
        std::pair{fo.truncated, FaultKind::kTruncated},
        std::pair{fo.malformed_json, FaultKind::kMalformedJson}}) {
    edge += p;
    if (fault == FaultKind::kNone && p > 0 && u < edge) fault = kind;
  }

  MockResponse response;
  if (fault == FaultKind::kServerError) {
    response = ApiError(500, "Something unexpected happened.");
  } else if (fault == FaultKind::kUnavailable) {
    response = ApiError(503, "Service Unavailable.");
  } else if (!params_ok) {
    response = ApiError(400, param_error);
  } else {
    std::string_view path = TrimSlashes(request.path);
    auto target = ParseRtoPath(request.path);
    std::string command = std::string(path) + "/";
    if (path == "/v2") {
      response = RootListing();
    } else if (path == "/v2/electricity") {
      response = ElectricityListing();
    } else if (path == "/v2/electricity/rto") {
      response = RtoListing();
    } else if (!target) {
      response = ApiError(404, "Not found.");
    } else if (target->kind == RtoTarget::kMetadata) {
      response = MetadataAnswer(*target->route, command);
    } else if (target->kind == RtoTarget::kFacetList) {
      response = FacetListAnswer(*target->route, command);
    } else if (target->kind == RtoTarget::kFacetValues) {
      response = FacetValuesAnswer(*target->route, target->facet_id, command);
    } else {
      DataQuery query;
      QueryError error;
      if (!BuildDataQuery(*target->route, params, &query, &error)) {
        response = ApiError(error.status, error.message);
      } else {
        response = DataAnswer(query, params.echo, command, options_);
      }
    }
  }
  response.headers.insert(response.headers.end(), limit_headers.begin(),
                          limit_headers.end());
  response.fault = fault;
  if (fault == FaultKind::kMalformedJson) {
    // Cut mid-way: status 200, the right content type, not parseable.
    response.status = 200;
    response.body.resize(std::max<size_t>(1, response.body.size() / 2));
  }

  // Latency in model time, drawn from the same request number.
  const LatencyProfile& lp = options_.latency;
  double ms =
      lp.base_ms + lp.per_row_us * static_cast<double>(response.rows) / 1000.0;
  if (request.new_connection) ms += lp.new_connection_ms;
  if (lp.jitter_mean_ms > 0) {
    double v = Unit(Mix(draw_base ^ 0x6a09e667f3bcc909ULL));
    ms += -lp.jitter_mean_ms * std::log(1.0 - v);
  }
  if (fault == FaultKind::kStall) ms += fo.stall_s * 1000.0;
  response.delay = nanoseconds(ToNanos(ms / 1000.0));
  return response;
}

}  // namespace eiabench::mock

namespace eiabench::mock {

MockResponse EiaModel::HandleControl(const MockRequest& request,
                                     nanoseconds now) {
  std::string_view path = TrimSlashes(request.path);
  if (path == "/_mock/stats") {
    return JsonAnswer(200, Stats(now).dump());
  }
  if (path == "/_mock/reset") {
    Reset();
    return JsonAnswer(200, "{\"reset\":true}");
  }
  if (path.substr(0, 12) == "/_mock/truth") {
    // The route comes from the path (/_mock/truth/electricity/rto/<route>/
    // data, with or without /v2) or from a `route` parameter.
    MockRequest data = request;
    std::string_view rest = path.substr(12);
    if (rest.substr(0, 3) == "/v2") rest.remove_prefix(3);
    std::string route_path(rest);
    if (route_path.empty()) {
      std::string query(request.query);
      size_t pos = 0;
      while (pos <= query.size()) {
        size_t amp = query.find('&', pos);
        if (amp == std::string::npos) amp = query.size();
        std::string pair = PercentDecode(query.substr(pos, amp - pos));
        if (pair.rfind("route=", 0) == 0) route_path = "/" + pair.substr(6);
        pos = amp + 1;
      }
    }
    if (route_path.empty()) {
      return ApiError(400,
                      "Missing route: use /_mock/truth/electricity/rto/"
                      "<route>/data?... or /_mock/truth?route=electricity/"
                      "rto/<route>&...");
    }
    if (route_path.rfind("/electricity/", 0) != 0) {
      route_path = "/electricity/" + route_path.substr(1);
    }
    if (TrimSlashes(route_path).size() < 5 ||
        TrimSlashes(route_path).substr(TrimSlashes(route_path).size() - 5) !=
            "/data") {
      route_path = std::string(TrimSlashes(route_path)) + "/data";
    }
    data.path = "/v2" + route_path;
    try {
      Truth truth = ComputeTruth(data);
      Json body = {{"rows", truth.rows}, {"checksum", truth.checksum}};
      return JsonAnswer(200, body.dump());
    } catch (const std::invalid_argument& e) {
      return ApiError(400, e.what());
    }
  }
  return ApiError(404, "Not found.");
}

EiaModel::Truth EiaModel::ComputeTruth(const MockRequest& data_query) const {
  auto target = ParseRtoPath(data_query.path);
  if (!target || target->kind != RtoTarget::kData) {
    throw std::invalid_argument("Not a data route: " + data_query.path);
  }
  RawParams params;
  std::string error;
  if (!CollectParams(data_query, &params, &error)) {
    throw std::invalid_argument(error);
  }
  DataQuery query;
  QueryError qerror;
  if (!BuildDataQuery(*target->route, params, &query, &qerror)) {
    throw std::invalid_argument(qerror.message);
  }
  ResultSet rows(query, options_.seed, options_.null_rate);
  if (rows.value_sort_too_large()) {
    throw std::invalid_argument(rows.ValueSortError());
  }
  return Truth{rows.total(), Hex16(rows.Checksum())};
}

size_t EiaModel::StoredTimestamps() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  size_t total = 0;
  for (const auto& [key, ks] : state_->keys) {
    for (const Window& w : ks.windows) {
      total += w.admitted.size() + w.arrivals.size();
    }
  }
  return total;
}

nlohmann::json EiaModel::Stats(nanoseconds now) const {
  std::lock_guard<std::mutex> lock(state_->mu);
  const State& s = *state_;
  nlohmann::json by_route = nlohmann::json::object();
  for (const auto& [route, statuses] : s.by_route_status) {
    for (const auto& [status, n] : statuses) {
      by_route[route][std::to_string(status)] = n;
    }
  }
  const RateLimitOptions& rl = options_.rate_limit;
  nlohmann::json windows = nlohmann::json::array();
  windows.push_back({{"window_s", rl.window_s},
                     {"limit", rl.limit},
                     {"max_requests_in_window", s.max_arrivals[0]}});
  windows.push_back({{"window_s", 1.0},
                     {"limit", rl.burst_per_second},
                     {"max_requests_in_window", s.max_arrivals[1]}});
  for (size_t i = 0; i < windows.size(); ++i) {
    if (s.saturated[i]) windows[i]["saturated"] = true;
  }
  return {{"model_time_s", static_cast<double>(now.count()) / 1e9},
          {"requests", s.requests},
          {"new_connections", s.new_connections},
          {"rows", s.rows},
          {"bytes", s.bytes},
          {"by_route", by_route},
          {"faults", s.faults},
          {"keys", s.keys.size()},
          {"windows", windows}};
}

}  // namespace eiabench::mock
