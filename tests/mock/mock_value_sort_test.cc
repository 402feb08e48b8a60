// Sorting by value over real HTTP: order, ties, nulls, paging, the row cap.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "tests/mock/mock_http_util.h"

namespace eiabench::mock::testing {
namespace {

// PACW and PGE solar for three June days: 144 rows, many of them 0 at
// night, so value ties are common and cross series and periods.
constexpr const char* kSolar =
    "frequency=hourly&data[]=value&facets[respondent][]=PACW&facets["
    "respondent][]=PGE&facets[fueltype][]=SUN&start=2024-06-01T00&end=2024-"
    "06-03T23";

std::optional<long> Value(const OJson& row) {
  if (row["value"].is_null()) return std::nullopt;
  return std::stol(row["value"].get<std::string>());
}

// Value order as the mock documents it: nulls are larger than every
// number (last ascending, first descending); 0 when equal.
int CompareValues(const OJson& a, const OJson& b, bool descending) {
  auto va = Value(a), vb = Value(b);
  int order = 0;
  if (va && vb) {
    order = *va < *vb ? -1 : *va > *vb ? 1 : 0;
  } else if (va.has_value() != vb.has_value()) {
    order = va ? -1 : 1;
  }
  return descending ? -order : order;
}

// The rows in the default order (period, then facets ascending), all of
// them in one page.
std::vector<OJson> DefaultOrder(httplib::Client& client,
                                const std::string& route_data,
                                const std::string& params) {
  OJson page =
      Parse(MustGet(client, route_data + "?" + params + "&api_key=K")->body);
  REQUIRE(page["response"]["data"].size() ==
          std::stoul(page["response"]["total"].get<std::string>()));
  return {page["response"]["data"].begin(), page["response"]["data"].end()};
}

// Every row of `params` fetched `page_length` rows at a time.
std::vector<OJson> AllPages(httplib::Client& client,
                            const std::string& route_data,
                            const std::string& params, int page_length,
                            uint64_t* checksum) {
  std::vector<OJson> rows;
  *checksum = 0;
  for (int offset = 0;; offset += page_length) {
    auto res =
        MustGet(client, route_data + "?" + params +
                            "&api_key=K&length=" + std::to_string(page_length) +
                            "&offset=" + std::to_string(offset));
    REQUIRE(res->status == 200);
    OJson page = Parse(res->body);
    if (page["response"]["data"].empty()) break;
    *checksum += PageChecksum(page);
    for (const auto& row : page["response"]["data"]) rows.push_back(row);
  }
  return rows;
}

OJson Truth(httplib::Client& client, const std::string& route,
            const std::string& params) {
  auto res = MustGet(
      client, "/_mock/truth/electricity/rto/" + route + "/data?" + params);
  REQUIRE(res->status == 200);
  return Parse(res->body);
}

// Pages of a value sort must equal the default order stably sorted by
// value: ties keep the default order.
void CheckValueSortPaging(ServerOptions options, bool descending) {
  RunningServer s(std::move(options));
  auto client = s.Client();
  std::vector<OJson> expected = DefaultOrder(client, kFuelData, kSolar);
  REQUIRE(expected.size() == 144);
  std::stable_sort(expected.begin(), expected.end(),
                   [&](const OJson& a, const OJson& b) {
                     return CompareValues(a, b, descending) < 0;
                   });
  std::string sorted = std::string(kSolar) +
                       "&sort[0][column]=value&sort[0][direction]=" +
                       (descending ? "desc" : "asc");
  uint64_t sum = 0;
  std::vector<OJson> paged = AllPages(client, kFuelData, sorted, 7, &sum);
  REQUIRE(paged.size() == expected.size());
  for (size_t i = 0; i < paged.size(); ++i) {
    INFO(i << ": " << paged[i].dump() << " vs " << expected[i].dump());
    CHECK(paged[i] == expected[i]);
  }
  OJson truth = Truth(client, "fuel-type-data", sorted);
  CHECK(truth["rows"] == 144);
  CHECK(Hex(sum) == truth["checksum"]);
  CHECK(truth == Truth(client, "fuel-type-data", kSolar));
}

TEST_CASE("an ascending value sort pages in order with ties kept stable",
          "[mock][value-sort]") {
  CheckValueSortPaging(ServerTestOptions(), false);
}

TEST_CASE("a descending value sort pages in order with ties kept stable",
          "[mock][value-sort]") {
  CheckValueSortPaging(ServerTestOptions(), true);
}

TEST_CASE("nulls sort last ascending and first descending",
          "[mock][value-sort]") {
  ServerOptions options = ServerTestOptions();
  options.model.null_rate = 0.25;
  CheckValueSortPaging(options, false);
  CheckValueSortPaging(options, true);
  RunningServer s(options);
  auto client = s.Client();
  OJson asc = Parse(MustGet(client, std::string(kFuelData) + "?" + kSolar +
                                        "&sort[0][column]=value&api_key=K")
                        ->body);
  const auto& rows = asc["response"]["data"];
  REQUIRE(rows.size() == 144);
  CHECK(rows.front()["value"].is_string());
  CHECK(rows.back()["value"].is_null());
}

TEST_CASE("a value key after period orders each hour by value",
          "[mock][value-sort]") {
  RunningServer s(ServerTestOptions());
  auto client = s.Client();
  std::string params =
      "frequency=hourly&data[]=value&facets[respondent][]=PACW&facets["
      "respondent][]=PGE&start=2024-06-01T10&end=2024-06-01T12";
  std::vector<OJson> expected = DefaultOrder(client, kFuelData, params);
  REQUIRE(expected.size() == 30);
  std::stable_sort(expected.begin(), expected.end(),
                   [](const OJson& a, const OJson& b) {
                     if (a["period"] != b["period"]) {
                       return a["period"] < b["period"];
                     }
                     return CompareValues(a, b, true) < 0;
                   });
  uint64_t sum = 0;
  std::vector<OJson> paged =
      AllPages(client, kFuelData,
               params +
                   "&sort[0][column]=period&sort[1][column]=value&sort[1]"
                   "[direction]=desc",
               4, &sum);
  CHECK(paged == expected);
}

TEST_CASE("a value key after a facet key orders each facet value by value",
          "[mock][value-sort]") {
  RunningServer s(ServerTestOptions());
  auto client = s.Client();
  std::string params =
      "frequency=hourly&data[]=value&facets[respondent][]=PACW&facets["
      "respondent][]=PGE&start=2024-06-01T00&end=2024-06-01T23";
  std::vector<OJson> expected = DefaultOrder(client, kFuelData, params);
  REQUIRE(expected.size() == 240);
  std::stable_sort(expected.begin(), expected.end(),
                   [](const OJson& a, const OJson& b) {
                     if (a["fueltype"] != b["fueltype"]) {
                       return a["fueltype"] > b["fueltype"];
                     }
                     return CompareValues(a, b, false) < 0;
                   });
  uint64_t sum = 0;
  std::vector<OJson> paged =
      AllPages(client, kFuelData,
               params +
                   "&sort[0][column]=fueltype&sort[0][direction]=desc"
                   "&sort[1][column]=value",
               50, &sum);
  CHECK(paged == expected);
  CHECK(Hex(sum) == Truth(client, "fuel-type-data", params)["checksum"]);
}

TEST_CASE("a value sort past the row cap is refused with one line",
          "[mock][value-sort]") {
  RunningServer s(ServerTestOptions());
  auto client = s.Client();
  // Every fuel-type series for a year: about 3.5 million rows.
  std::string params =
      "frequency=hourly&data[]=value&start=2024-01-01T00&end=2024-12-31T23";
  std::string sorted = params + "&sort[0][column]=value";
  auto res = MustGet(
      client, std::string(kFuelData) + "?" + sorted + "&api_key=K&length=1");
  CHECK(res->status == 400);
  std::string message = Parse(res->body)["error"].get<std::string>();
  CHECK(message.rfind("Sorting by value is not modelled for more than "
                      "1000000 rows; this query selects ",
                      0) == 0);
  CHECK(message.find('\n') == std::string::npos);
  auto truth = MustGet(
      client, "/_mock/truth/electricity/rto/fuel-type-data/data?" + sorted);
  CHECK(truth->status == 400);
  CHECK(Parse(truth->body)["error"] == message);
  // The same rows in period order are served as before.
  auto plain = MustGet(
      client, std::string(kFuelData) + "?" + params + "&api_key=K&length=1");
  CHECK(plain->status == 200);
  CHECK(std::stoul(Parse(plain->body)["response"]["total"].get<std::string>()) >
        1'000'000);
}

TEST_CASE("a value sort with an offset past the end returns no rows",
          "[mock][value-sort]") {
  RunningServer s(ServerTestOptions());
  auto client = s.Client();
  OJson page = Parse(MustGet(client, std::string(kFuelData) + "?" + kSolar +
                                         "&sort[0][column]=value&offset=144"
                                         "&api_key=K")
                         ->body);
  CHECK(page["response"]["total"] == "144");
  CHECK(page["response"]["data"].empty());
}

}  // namespace
}  // namespace eiabench::mock::testing
