#include <catch2/catch.hpp>

#include "harness/client/extractor.h"
#include "harness/client/period.h"

using namespace eiabench;

namespace {
ExtractOptions Base() {
  ExtractOptions o;
  o.route = "electricity/rto/fuel-type-data";
  o.facets = {{"respondent", {"PACW"}}};
  o.start = "2024-01-01T00";
  o.end = "2024-03-31T23";
  return o;
}
}  // namespace

TEST_CASE("day batches tile the range hour-exactly without overlap",
          "[client]") {
  ExtractOptions o = Base();
  o.days_per_batch = 7;
  PlanResult r = MakePlan(o, 0);
  REQUIRE(r.error.empty());
  const auto& b = r.plan.batches;
  REQUIRE(b.size() == 13);  // 91 days / 7
  CHECK(b.front().start_param == "2024-01-01T00");
  CHECK(b.front().end_param == "2024-01-07T23");
  for (size_t i = 1; i < b.size(); ++i)
    CHECK(b[i].first_period == b[i - 1].last_period + 1);
  CHECK(b.back().end_param == "2024-03-31T23");
  CHECK(PeriodsCovered(r.plan) == 91 * 24);
}

TEST_CASE("the last batch is cut at the end of the range", "[client]") {
  ExtractOptions o = Base();
  o.end = "2024-01-10T05";
  o.days_per_batch = 7;
  PlanResult r = MakePlan(o, 0);
  REQUIRE(r.plan.batches.size() == 2);
  CHECK(r.plan.batches[1].start_param == "2024-01-08T00");
  CHECK(r.plan.batches[1].end_param == "2024-01-10T05");
}

TEST_CASE("date-only batches lose 23 hours per boundary like the seed",
          "[client]") {
  ExtractOptions o = Base();
  o.start = "2024-01-01";
  o.end = "2024-04-01";
  o.days_per_batch = 45;
  o.batch_end = BatchEnd::kDateOnly;
  PlanResult r = MakePlan(o, 0);
  REQUIRE(r.plan.batches.size() == 3);
  CHECK(r.plan.batches[0].start_param == "2024-01-01");
  CHECK(r.plan.batches[0].end_param == "2024-02-14");
  // 44 days * 24 + 1 hours: 1057 hours * 5 series = the seed's 5285 rows.
  CHECK(r.plan.batches[0].last_period - r.plan.batches[0].first_period + 1 ==
        1057);
  CHECK(r.plan.batches[2].start_param == "2024-03-31");
  CHECK(r.plan.batches[2].end_param == "2024-04-01");
}

TEST_CASE("fill planning sizes batches to full 5000-row pages", "[client]") {
  ExtractOptions o = Base();
  o.planning = PlanningMode::kFill;
  PlanResult r = MakePlan(o, 5);
  REQUIRE(r.error.empty());
  // 5000 rows / 5 series = 1000 hours per request.
  CHECK(r.plan.batches[0].last_period - r.plan.batches[0].first_period + 1 ==
        1000);
  CHECK(r.plan.batches.size() == 3);  // 2184 hours
}

TEST_CASE("pages per batch follow total and the capped length", "[client]") {
  ExtractOptions o = Base();
  CHECK(PagesForRows(0, o) == 1);
  CHECK(PagesForRows(5000, o) == 1);
  CHECK(PagesForRows(5001, o) == 2);
  o.request_length = 8000;  // the API still answers 5000 rows
  CHECK(PagesForRows(10800, o) == 3);
  o.paginate = false;
  CHECK(PagesForRows(10800, o) == 1);
}

TEST_CASE("the page URL carries hour bounds, facets, order and paging",
          "[client]") {
  ExtractOptions o = Base();
  o.base_url = "http://127.0.0.1:1/v2";
  PlanResult r = MakePlan(o, 0);
  std::string url = BuildPageUrl(o, r.plan.batches[0], 5000, 5000);
  CHECK(url.rfind("http://127.0.0.1:1/v2/electricity/rto/fuel-type-data/data/?",
                  0) == 0);
  CHECK(url.find("facets[respondent][]=PACW") != std::string::npos);
  CHECK(url.find("start=2024-01-01T00&end=2024-01-07T23") != std::string::npos);
  CHECK(url.find("sort[0][column]=period") != std::string::npos);
  CHECK(url.find("offset=5000&length=5000") != std::string::npos);
  CHECK(url.find("api_key") == std::string::npos);
}

TEST_CASE("invalid options name the field", "[client]") {
  ExtractOptions o = Base();
  o.days_per_batch = 0;
  auto why = ValidateOptions(o);
  REQUIRE(why);
  CHECK(why->find("days_per_batch") == 0);
  o = Base();
  o.start = "2024-13-01T00";
  CHECK(MakePlan(o, 0).error.find("start") == 0);
  o = Base();
  o.end = "2023-01-01T00";
  CHECK_FALSE(MakePlan(o, 0).error.empty());
}

TEST_CASE("the plan fingerprint changes with the plan", "[client]") {
  ExtractOptions a = Base(), b = Base();
  b.days_per_batch = 3;
  CHECK(MakePlan(a, 0).plan.fingerprint == MakePlan(a, 0).plan.fingerprint);
  CHECK(MakePlan(a, 0).plan.fingerprint != MakePlan(b, 0).plan.fingerprint);
}
