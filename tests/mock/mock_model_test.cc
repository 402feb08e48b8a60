// EiaModel called directly: response shapes, parameters, errors, paging,
// the rate limiter and faults. No sockets, no real time.
#include <set>

#include "mock_test_util.h"

namespace eiabench::mock::testing {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

ModelOptions Unlimited(uint64_t seed = 7) {
  ModelOptions o;
  o.seed = seed;
  o.rate_limit.limit = 0;
  return o;
}

// Fails with a path when `actual` does not have `expected`'s structure: the
// same JSON types, objects with the same keys in the same order (the key's
// echo is the one expected difference), arrays compared element-wise on the
// shorter length.
void RequireSameShape(const OJson& expected, const OJson& actual,
                      const std::string& path = "$") {
  INFO(path);
  REQUIRE(expected.type_name() == std::string(actual.type_name()));
  if (expected.is_object()) {
    std::vector<std::string> want;
    for (const auto& [key, value] : expected.items()) {
      if (key != "api_key") want.push_back(key);
    }
    REQUIRE(Keys(actual) == want);
    for (const std::string& key : want) {
      RequireSameShape(expected[key], actual[key], path + "." + key);
    }
  } else if (expected.is_array()) {
    size_t n = std::min(expected.size(), actual.size());
    for (size_t i = 0; i < n; ++i) {
      RequireSameShape(expected[i], actual[i],
                       path + "[" + std::to_string(i) + "]");
    }
  }
}

TEST_CASE("the seed's one-hour PACW query gives the recorded five fuels",
          "[mock]") {
  EiaModel model(Unlimited());
  auto r = model.Handle(Get(kFuelData, SeedQuery("2024-01-01", "2024-01-01")),
                        nanoseconds(0));
  REQUIRE(r.status == 200);
  OJson page = Parse(r.body);
  OJson fixture = Parse(ReadFile(std::string(EIABENCH_SOURCE_DIR) +
                                 "/tests/mock/fixtures/"
                                 "fuel_type_pacw_one_hour_2.1.8.json"));
  RequireSameShape(fixture, page);
  CHECK(page["response"]["total"] == "5");
  std::vector<std::string> fuels;
  for (const auto& row : page["response"]["data"]) {
    CHECK(row["period"] == "2024-01-01T00");
    CHECK(row["respondent-name"] == "PacifiCorp West");
    fuels.push_back(row["fueltype"]);
  }
  CHECK(fuels == std::vector<std::string>{"NG", "OTH", "SUN", "WAT", "WND"});
  CHECK(page["request"]["params"] ==
        fixture["request"]["params"].patch(
            OJson::parse(R"([{"op":"remove","path":"/api_key"}])")));
}

TEST_CASE("a truncated page matches the recorded RTO shape key by key",
          "[mock]") {
  EiaModel model(Unlimited());
  auto r = model.Handle(Get(kFuelData, SeedQuery("2024-01-01", "2024-02-14")),
                        nanoseconds(0));
  REQUIRE(r.status == 200);
  OJson page = Parse(r.body);
  OJson fixture = Parse(ReadFile(std::string(EIABENCH_SOURCE_DIR) +
                                 "/tests/mock/fixtures/"
                                 "fuel_type_pacw_truncated_2.1.8.json"));
  RequireSameShape(fixture, page);
  CHECK(page["response"]["total"] == "5285");
  CHECK(page["response"]["data"].size() == 5000);
  CHECK(page["warnings"] == fixture["warnings"]);
  CHECK(page["response"]["description"] == fixture["response"]["description"]);
  // PHP escapes slashes; the raw text must too.
  CHECK(r.body.find(
            R"("command":"\/v2\/electricity\/rto\/fuel-type-data\/data\/")") !=
        std::string::npos);
}

TEST_CASE("region-data demand matches the recorded cassette's shape",
          "[mock]") {
  EiaModel model(Unlimited());
  auto r = model.Handle(
      Get(kRegionData,
          "data%5B0%5D=value&end=2023-01-08&facets%5Brespondent%5D%5B%5D=PACW&"
          "facets%5Btype%5D%5B%5D=D&frequency=hourly&length=5000&sort%5B0%5D%"
          "5Bcolumn%5D=period&sort%5B0%5D%5Bdirection%5D=asc&start=2023-01-01&"
          "api_key=K"),
      nanoseconds(0));
  REQUIRE(r.status == 200);
  OJson page = Parse(r.body);
  OJson fixture = Parse(ReadFile(std::string(EIABENCH_SOURCE_DIR) +
                                 "/tests/mock/fixtures/"
                                 "region_pacw_demand_2.1.8.json"));
  RequireSameShape(fixture, page);
  CHECK(page["response"]["total"] == "169");
  CHECK(page["response"]["data"].back()["period"] == "2023-01-08T00");
  CHECK_FALSE(page.contains("warnings"));
}

TEST_CASE("the same query gives the same bytes for the same seed", "[mock]") {
  EiaModel a(Unlimited(3)), b(Unlimited(3)), c(Unlimited(4));
  auto q = Get(kFuelData, SeedQuery("2024-03-01", "2024-03-02"));
  std::string body_a = a.Handle(q, nanoseconds(0)).body;
  CHECK(body_a == b.Handle(q, seconds(100)).body);
  CHECK(body_a != c.Handle(q, nanoseconds(0)).body);
}

TEST_CASE("offset paging covers the truth exactly once", "[mock]") {
  EiaModel model(Unlimited());
  std::string base =
      "frequency=hourly&data[]=value&facets[respondent][]=CISO&"
      "facets[respondent][]=ERCO&start=2023-12-30T00&end=2024-01-02T05&"
      "api_key=K";
  auto truth = model.ComputeTruth(Get(kFuelData, base));
  // ERCO gains BAT on 2024-01-01: the rows per period change mid-range.
  CHECK(truth.rows == 48 * (9 + 7) + 30 * (9 + 8));
  uint64_t sum = 0, rows = 0;
  std::set<std::string> seen;
  for (int offset = 0; offset < 10000; offset += 333) {
    auto r = model.Handle(
        Get(kFuelData, base + "&length=333&offset=" + std::to_string(offset)),
        nanoseconds(0));
    OJson page = Parse(r.body);
    REQUIRE(page["response"]["total"] == std::to_string(truth.rows));
    if (page["response"]["data"].empty()) break;
    for (const auto& row : page["response"]["data"]) {
      std::string key = row["period"].get<std::string>() +
                        row["respondent"].get<std::string>() +
                        row["fueltype"].get<std::string>();
      CHECK(seen.insert(key).second);
    }
    sum += PageChecksum(page);
    rows += page["response"]["data"].size();
  }
  CHECK(rows == truth.rows);
  CHECK(Hex(sum) == truth.checksum);
}

TEST_CASE("a descending sort by period reverses the default order", "[mock]") {
  EiaModel model(Unlimited());
  std::string q =
      "frequency=hourly&data[]=value&facets[respondent][]=PACW&start=2024-01-"
      "01T00&end=2024-01-01T03&api_key=K";
  OJson asc = Parse(model.Handle(Get(kFuelData, q), nanoseconds(0)).body);
  OJson desc = Parse(
      model
          .Handle(Get(kFuelData,
                      q + "&sort[0][column]=period&sort[0][direction]=desc"),
                  nanoseconds(0))
          .body);
  auto& a = asc["response"]["data"];
  auto& d = desc["response"]["data"];
  REQUIRE(a.size() == 20);
  REQUIRE(d.size() == 20);
  CHECK(d[0]["period"] == "2024-01-01T03");
  CHECK(d[0]["fueltype"] == "NG");
  CHECK(d[19]["period"] == "2024-01-01T00");
  CHECK(PageChecksum(asc) == PageChecksum(desc));
}

TEST_CASE("a facet-first sort groups rows by facet before period", "[mock]") {
  EiaModel model(Unlimited());
  OJson page = Parse(
      model
          .Handle(Get(kFuelData,
                      "data[]=value&facets[respondent][]=PACW&start=2024-01-"
                      "01T00&end=2024-01-01T02&sort[0][column]=fueltype&sort["
                      "0][direction]=desc&api_key=K"),
                  nanoseconds(0))
          .body);
  auto& d = page["response"]["data"];
  REQUIRE(d.size() == 15);
  CHECK(d[0]["fueltype"] == "WND");
  CHECK(d[0]["period"] == "2024-01-01T00");
  CHECK(d[2]["fueltype"] == "WND");
  CHECK(d[2]["period"] == "2024-01-01T02");
  CHECK(d[14]["fueltype"] == "NG");
}

TEST_CASE("X-Params, POST bodies and indexed facets select the same rows",
          "[mock]") {
  EiaModel model(Unlimited());
  std::string expected =
      Parse(model
                .Handle(Get(kRegionData,
                            "frequency=hourly&data[0]=value&facets[respondent]"
                            "[]=PJM&facets[respondent][]=MISO&start=2024-01-"
                            "01T00&end=2024-01-01T03&api_key=K"),
                        nanoseconds(0))
                .body)["response"]
          .dump();
  MockRequest indexed = Get(kRegionData,
                            "frequency=hourly&data[]=value&facets[respondent]"
                            "[0]=PJM&facets[respondent][1]=MISO&start=2024-01-"
                            "01T00&end=2024-01-01T03&api_key=K");
  CHECK(Parse(model.Handle(indexed, nanoseconds(0)).body)["response"].dump() ==
        expected);

  std::string json =
      R"({"frequency":"hourly","data":["value"],"facets":{"respondent":["PJM","MISO"]},"start":"2024-01-01T00","end":"2024-01-01T03","offset":0,"length":5000})";
  MockRequest header = Get(kRegionData, "");
  header.headers = {{"x-api-key", "K"}, {"X-Params", json}};
  OJson via_header = Parse(model.Handle(header, nanoseconds(0)).body);
  CHECK(via_header["response"].dump() == expected);
  // JSON parameters keep their JSON types in the echo.
  CHECK(via_header["request"]["params"]["length"] == 5000);

  MockRequest post = Get("/v2/electricity/rto/region-data/data", "api_key=K");
  post.method = "POST";
  post.body = json;
  CHECK(Parse(model.Handle(post, nanoseconds(0)).body)["response"].dump() ==
        expected);
}

TEST_CASE("a date-only end means hour 00 of that day, inclusive", "[mock]") {
  EiaModel model(Unlimited());
  OJson page = Parse(
      model
          .Handle(Get(kRegionData,
                      "data[]=value&facets[respondent][]=PACW&facets[type][]="
                      "D&start=2024-01-01&end=2024-01-02&api_key=K"),
                  nanoseconds(0))
          .body);
  CHECK(page["response"]["total"] == "25");
  CHECK(page["response"]["data"].back()["period"] == "2024-01-02T00");
}

TEST_CASE("without data[] rows carry no value", "[mock]") {
  EiaModel model(Unlimited());
  OJson page = Parse(
      model
          .Handle(Get(kFuelData,
                      "facets[respondent][]=PACW&start=2024-01-01&end=2024-01-"
                      "01&api_key=K"),
                  nanoseconds(0))
          .body);
  REQUIRE(page["response"]["data"].size() == 5);
  CHECK(Keys(page["response"]["data"][0]) ==
        std::vector<std::string>{"period", "respondent", "respondent-name",
                                 "fueltype", "type-name"});
}

TEST_CASE("length over 5000 gives 5000 rows and both warnings", "[mock]") {
  EiaModel model(Unlimited());
  OJson page = Parse(
      model
          .Handle(Get(kFuelData,
                      "data[]=value&facets[respondent][]=PACW&start=2024-01-"
                      "01&end=2024-03-01&length=6000&api_key=K"),
                  nanoseconds(0))
          .body);
  CHECK(page["response"]["data"].size() == 5000);
  REQUIRE(page["warnings"].size() == 2);
  CHECK(page["warnings"][0]["warning"] == "incomplete return");
  CHECK(page["warnings"][1]["warning"] == "parameter out of range");
  CHECK(Keys(page)[0] == "warnings");
}

TEST_CASE("an omitted length gives 5000 rows and the incomplete warning",
          "[mock]") {
  EiaModel model(Unlimited());
  OJson page = Parse(
      model
          .Handle(Get(kFuelData,
                      "data[]=value&facets[respondent][]=PACW&start=2024-01-"
                      "01&end=2024-03-01&api_key=K"),
                  nanoseconds(0))
          .body);
  CHECK(page["response"]["data"].size() == 5000);
  REQUIRE(page["warnings"].size() == 1);
  CHECK(page["warnings"][0]["warning"] == "incomplete return");
}

struct ErrorCase {
  std::string path;
  std::string query;
  int status;
  std::string body;
};

TEST_CASE("documented errors have the API's status and body", "[mock]") {
  ModelOptions options = Unlimited();
  options.api_keys = {"GOOD"};
  EiaModel model(options);
  std::string fuel = kFuelData;
  std::vector<ErrorCase> cases = {
      {fuel, "frequency=hourly", 403,
       R"({"error":{"code":"API_KEY_MISSING","message":"No api_key was supplied.  Please register for one at https://www.eia.gov/opendata/register.php"}})"},
      {fuel, "api_key=BAD", 403,
       R"({"error":{"code":"API_KEY_INVALID","message":"An invalid api_key was supplied. Get one at https://www.eia.gov/opendata/register.php"}})"},
      {"/v2/electricity/wholesale-prices/data/", "api_key=GOOD", 404,
       R"({"error":"Not found.","code":404})"},
      {fuel, "api_key=GOOD&frequency=yearly", 400,
       R"({"error":"Invalid frequency 'yearly' provided. The only valid frequencies are 'hourly', and 'local-hourly'.","code":400})"},
      {fuel, "api_key=GOOD&data[]=price", 400,
       R"({"error":"Invalid data 'price' provided. The only valid data are 'value'.","code":400})"},
      {fuel, "api_key=GOOD&facets[state][]=OR", 400,
       R"({"error":"Invalid facet 'state' provided. The only valid facets are 'respondent', and 'fueltype'.","code":400})"},
      {fuel, "api_key=GOOD&offset=-1", 400,
       R"({"error":"Invalid offset '-1' provided. The offset must be a non-negative integer.","code":400})"},
      {fuel, "api_key=GOOD&length=ten", 400,
       R"({"error":"Invalid length 'ten' provided. The length must be a non-negative integer.","code":400})"},
      {fuel, "api_key=GOOD&start=2024-13-01", 400,
       R"({"error":"Invalid start date '2024-13-01' provided. Dates must be YYYY-MM-DD or YYYY-MM-DDTHH.","code":400})"},
      {fuel, "api_key=GOOD&end=2024-02-30", 400,
       R"({"error":"Invalid end date '2024-02-30' provided. Dates must be YYYY-MM-DD or YYYY-MM-DDTHH.","code":400})"},
  };
  for (const ErrorCase& c : cases) {
    INFO(c.path << "?" << c.query);
    auto r = model.Handle(Get(c.path, c.query), nanoseconds(0));
    CHECK(r.status == c.status);
    CHECK(r.body == c.body);
  }
}

TEST_CASE("unknown facet values and out-of-range dates give total 0",
          "[mock]") {
  EiaModel model(Unlimited());
  for (std::string q : {"facets[respondent][]=NOPE", "start=2030-01-01",
                        "end=2001-01-01", "start=2024-01-02&end=2024-01-01"}) {
    INFO(q);
    auto r = model.Handle(Get(kFuelData, q + "&data[]=value&api_key=K"),
                          nanoseconds(0));
    REQUIRE(r.status == 200);
    OJson page = Parse(r.body);
    CHECK(page["response"]["total"] == "0");
    CHECK(page["response"]["data"].empty());
  }
}

TEST_CASE("metadata, facet lists and facet values answer every route",
          "[mock]") {
  EiaModel model(Unlimited());
  for (std::string route :
       {"region-data", "fuel-type-data", "region-sub-ba-data",
        "interchange-data", "daily-region-data", "daily-fuel-type-data"}) {
    INFO(route);
    std::string base = "/v2/electricity/rto/" + route;
    OJson meta = Parse(model.Handle(Get(base, "api_key=K"), {}).body);
    CHECK(meta["response"]["id"] == route);
    CHECK(Keys(meta) == std::vector<std::string>{"response", "request",
                                                 "apiVersion",
                                                 "ExcelAddInVersion"});
    OJson list =
        Parse(model.Handle(Get(base + "/facet/", "api_key=K"), {}).body);
    REQUIRE(list["response"]["facetOptions"].size() >= 2);
    std::string facet = list["response"]["facetOptions"][0];
    OJson values = Parse(
        model.Handle(Get(base + "/facet/" + facet, "api_key=K"), {}).body);
    CHECK(values["response"]["totalFacets"].get<size_t>() ==
          values["response"]["facets"].size());
    auto data = model.Handle(Get(base + "/data",
                                 "data[]=value&start=2024-01-01&end=2024-01-01&"
                                 "length=2&api_key=K"),
                             {});
    CHECK(data.status == 200);
    CHECK(Parse(data.body)["response"]["data"].size() == 2);
  }
  for (std::string p : {"/v2/", "/v2/electricity", "/v2/electricity/rto/"}) {
    auto r = model.Handle(Get(p, "api_key=K"), {});
    CHECK(r.status == 200);
    CHECK(Parse(r.body)["response"]["routes"].size() >= 1);
  }
  OJson respondents = Parse(
      model
          .Handle(Get("/v2/electricity/rto/fuel-type-data/facet/respondent",
                      "api_key=K"),
                  {})
          .body);
  CHECK(respondents["response"]["facets"].size() >= 65);
}

TEST_CASE("daily routes write one row per timezone with daily periods",
          "[mock]") {
  EiaModel model(Unlimited());
  OJson page = Parse(
      model
          .Handle(Get("/v2/electricity/rto/daily-region-data/data/",
                      "frequency=daily&data[]=value&facets[respondent][]=PACW&"
                      "facets[type][]=D&start=2024-01-01&end=2024-01-01&"
                      "api_key=K"),
                  {})
          .body);
  CHECK(page["response"]["total"] == "5");
  CHECK(page["response"]["dateFormat"] == "YYYY-MM-DD");
  auto& row = page["response"]["data"][0];
  CHECK(row["period"] == "2024-01-01");
  CHECK(Keys(row) == std::vector<std::string>{
                         "period", "respondent", "respondent-name", "type",
                         "type-name", "timezone", "timezone-description",
                         "value", "value-units"});
}

TEST_CASE("the hourly limit admits exactly the limit within a window",
          "[mock]") {
  ModelOptions options = Unlimited();
  options.rate_limit.limit = 3;
  options.rate_limit.window_s = 10;
  EiaModel model(options);
  auto q = Get("/v2/electricity/rto/", "api_key=K");
  CHECK(model.Handle(q, seconds(0)).status == 200);
  CHECK(model.Handle(q, seconds(1)).status == 200);
  CHECK(model.Handle(q, seconds(2)).status == 200);
  auto over = model.Handle(q, seconds(3));
  CHECK(over.status == 429);
  CHECK(
      over.body ==
      R"({"error":{"code":"OVER_RATE_LIMIT","message":"You have exceeded your rate limit. Try again later or contact us at https://api.data.gov/contact for assistance"}})");
  // Just before the first request leaves the window: still full.
  CHECK(model.Handle(q, milliseconds(9999)).status == 429);
  // At t = 10 s the request from t = 0 has left (t - 10 s, t].
  CHECK(model.Handle(q, seconds(10)).status == 200);
  CHECK(model.Handle(q, seconds(10)).status == 429);
  // Another key has its own window.
  CHECK(model.Handle(Get("/v2/", "api_key=OTHER"), seconds(10)).status == 200);
  auto stats = model.Stats(seconds(10));
  // Arrivals of key K within (0.0, 10.0]: 1, 2, 3, 9.999, 10, 10 = 6.
  CHECK(stats["windows"][0]["max_requests_in_window"] == 6);
}

TEST_CASE("suspension answers 403 for the configured time", "[mock]") {
  ModelOptions options = Unlimited();
  options.rate_limit.limit = 1;
  options.rate_limit.window_s = 10;
  options.rate_limit.suspend = true;
  options.rate_limit.suspend_s = 100;
  options.rate_limit.headers = true;
  EiaModel model(options);
  auto q = Get("/v2/", "api_key=K");
  CHECK(model.Handle(q, seconds(0)).status == 200);
  CHECK(model.Handle(q, seconds(1)).status == 403);
  CHECK(model.Handle(q, seconds(50)).status == 403);
  auto back = model.Handle(q, seconds(102));
  CHECK(back.status == 200);
  bool has_limit_header = false;
  for (auto& [k, v] : back.headers)
    has_limit_header |= k == "X-RateLimit-Limit";
  CHECK(has_limit_header);
}

TEST_CASE("the burst limit applies per second", "[mock]") {
  ModelOptions options = Unlimited();
  options.rate_limit.burst_per_second = 2;
  EiaModel model(options);
  auto q = Get("/v2/", "api_key=K");
  CHECK(model.Handle(q, milliseconds(0)).status == 200);
  CHECK(model.Handle(q, milliseconds(10)).status == 200);
  CHECK(model.Handle(q, milliseconds(20)).status == 429);
  CHECK(model.Handle(q, milliseconds(1000)).status == 200);
}

std::vector<FaultKind> FaultSequence(uint64_t seed) {
  ModelOptions options = Unlimited(seed);
  options.faults.server_error = 0.1;
  options.faults.unavailable = 0.1;
  options.faults.stall = 0.1;
  options.faults.reset = 0.1;
  options.faults.truncated = 0.1;
  options.faults.malformed_json = 0.1;
  EiaModel model(options);
  std::vector<FaultKind> kinds;
  for (int i = 0; i < 200; ++i) {
    kinds.push_back(
        model
            .Handle(Get(kFuelData, SeedQuery("2024-01-01", "2024-01-01")),
                    seconds(i))
            .fault);
  }
  return kinds;
}

TEST_CASE("faults are reproducible from the seed", "[mock]") {
  auto a = FaultSequence(11);
  CHECK(a == FaultSequence(11));
  CHECK(a != FaultSequence(12));
  std::set<FaultKind> kinds(a.begin(), a.end());
  CHECK(kinds.size() == 7);  // every fault and none show up in 200 draws
}

TEST_CASE("fault answers carry the documented status and body", "[mock]") {
  ModelOptions options = Unlimited();
  options.faults.server_error = 1;
  EiaModel model(options);
  auto r = model.Handle(Get(kFuelData, "api_key=K"), {});
  CHECK(r.status == 500);
  CHECK(r.body == R"({"error":"Something unexpected happened.","code":500})");

  options.faults.server_error = 0;
  options.faults.malformed_json = 1;
  EiaModel broken(options);
  auto m =
      broken.Handle(Get(kFuelData, SeedQuery("2024-01-01", "2024-01-01")), {});
  CHECK(m.status == 200);
  CHECK(OJson::parse(m.body, nullptr, false).is_discarded());
}

TEST_CASE("latency follows the profile and the new-connection cost", "[mock]") {
  ModelOptions options = Unlimited();
  options.latency = {"custom", 100, 10, 50, 0};
  EiaModel model(options);
  auto q = Get(kFuelData, SeedQuery("2024-01-01", "2024-01-01"));
  CHECK(model.Handle(q, {}).delay == milliseconds(100) + microseconds(50));
  q.new_connection = true;
  CHECK(model.Handle(q, {}).delay == milliseconds(150) + microseconds(50));
  LatencyProfile eia;
  REQUIRE(LatencyProfileByName("eia", &eia));
  CHECK(eia.base_ms > 0);
  CHECK_FALSE(LatencyProfileByName("warp", &eia));
}

TEST_CASE("reset clears the limiter and the stats", "[mock]") {
  ModelOptions options = Unlimited();
  options.rate_limit.limit = 1;
  EiaModel model(options);
  auto q = Get("/v2/", "api_key=K");
  CHECK(model.Handle(q, {}).status == 200);
  CHECK(model.Handle(q, {}).status == 429);
  CHECK(model.Handle(Get("/_mock/reset", ""), {}).status == 200);
  CHECK(model.Stats({})["requests"] == 0);
  CHECK(model.Handle(q, {}).status == 200);
}

TEST_CASE("null values are written as JSON null at the configured rate",
          "[mock]") {
  ModelOptions options = Unlimited();
  options.null_rate = 0.5;
  EiaModel model(options);
  std::string q =
      "data[]=value&facets[respondent][]=PACW&start=2024-01-01&end=2024-01-"
      "05&api_key=K";
  OJson page = Parse(model.Handle(Get(kFuelData, q), {}).body);
  int nulls = 0;
  for (const auto& row : page["response"]["data"])
    nulls += row["value"].is_null();
  CHECK(nulls > 100);
  CHECK(nulls < 385);
  CHECK(Hex(PageChecksum(page)) ==
        model.ComputeTruth(Get(kFuelData, q)).checksum);
}

TEST_CASE("the checksum contract matches its documented example", "[mock]") {
  // XXH3-64 (seed 0) of the canonical string
  // "period=2024-01-01T00;respondent=PACW;respondent-name=PacifiCorp West;"
  // "fueltype=NG;type-name=Natural Gas;value=512;value-units=megawatthours;",
  // as Python's xxhash.xxh3_64_hexdigest computes it.
  const uint64_t h = 0x5366a962b08729f0ULL;
  CHECK(RowHash({{"period", "2024-01-01T00"},
                 {"respondent", "PACW"},
                 {"respondent-name", "PacifiCorp West"},
                 {"fueltype", "NG"},
                 {"type-name", "Natural Gas"},
                 {"value", "512"},
                 {"value-units", "megawatthours"}}) == h);
}

}  // namespace
}  // namespace eiabench::mock::testing
