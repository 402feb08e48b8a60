// Sorting by a facet's name column ("type-name", "respondent-name"); value
// sorts are in mock_value_sort_test.cc.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/mock/mock_test_util.h"

namespace eiabench::mock::testing {
namespace {

using std::chrono::nanoseconds;

ModelOptions Unlimited() {
  ModelOptions o;
  o.rate_limit.limit = 0;
  return o;
}

OJson Page(EiaModel& model, const std::string& extra) {
  return Parse(model
                   .Handle(Get(kFuelData,
                               "frequency=hourly&data[]=value&facets["
                               "respondent][]=PACW&start=2024-01-01T00&end="
                               "2024-01-01T01&api_key=K" +
                                   extra),
                           nanoseconds(0))
                   .body);
}

TEST_CASE("a sort by a name column orders rows by name, not by id", "[mock]") {
  EiaModel model(Unlimited());
  // PACW's fuels by id: NG, OTH, SUN, WAT, WND; by name: Hydro (WAT),
  // Natural Gas (NG), Other (OTH), Solar (SUN), Wind (WND).
  OJson page = Page(model, "&sort[0][column]=period&sort[1][column]=type-name");
  auto& d = page["response"]["data"];
  REQUIRE(d.size() == 10);
  std::vector<std::string> first_hour;
  for (int i = 0; i < 5; ++i) {
    CHECK(d[i]["period"] == "2024-01-01T00");
    first_hour.push_back(d[i]["fueltype"].get<std::string>());
  }
  CHECK(first_hour ==
        std::vector<std::string>{"WAT", "NG", "OTH", "SUN", "WND"});
  CHECK(d[5]["fueltype"] == "WAT");
  CHECK(d[5]["period"] == "2024-01-01T01");
  CHECK(PageChecksum(page) == PageChecksum(Page(model, "")));
}

TEST_CASE("a descending name sort before period groups rows by name",
          "[mock]") {
  EiaModel model(Unlimited());
  OJson page = Page(model,
                    "&sort[0][column]=type-name&sort[0][direction]=desc"
                    "&sort[1][column]=period&sort[1][direction]=asc");
  auto& d = page["response"]["data"];
  REQUIRE(d.size() == 10);
  CHECK(d[0]["fueltype"] == "WND");
  CHECK(d[0]["period"] == "2024-01-01T00");
  CHECK(d[1]["fueltype"] == "WND");
  CHECK(d[1]["period"] == "2024-01-01T01");
  CHECK(d[9]["fueltype"] == "WAT");
}

TEST_CASE("an unknown sort column is refused with the valid columns named",
          "[mock]") {
  EiaModel model(Unlimited());
  MockResponse r = model.Handle(
      Get(kFuelData,
          "frequency=hourly&data[]=value&sort[0][column]=price&api_key=K"),
      nanoseconds(0));
  CHECK(r.status == 400);
  CHECK(r.body.find("respondent-name") != std::string::npos);
  CHECK(r.body.find("'value'") != std::string::npos);
}

}  // namespace
}  // namespace eiabench::mock::testing
