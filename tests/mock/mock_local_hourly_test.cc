// frequency=local-hourly over real HTTP: periods in the respondent's local
// time with its UTC offset, the same rows and values as hourly.
#include <chrono>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "tests/mock/mock_http_util.h"

namespace eiabench::mock::testing {
namespace {

// "2024-03-10T03-07" -> "2024-03-10T10": what a client converting a
// local-hourly period back to UTC computes (independent of the mock).
std::string LocalToUtc(const std::string& local) {
  int y = 0, m = 0, d = 0, h = 0, off = 0;
  char sign = 0;
  REQUIRE(local.size() == 16);
  REQUIRE(std::sscanf(local.c_str(), "%4d-%2d-%2dT%2d%c%2d", &y, &m, &d, &h,
                      &sign, &off) == 6);
  using namespace std::chrono;
  int offset_h = sign == '-' ? -off : off;
  sys_days date{year{y} / month{static_cast<unsigned>(m)} /
                std::chrono::day{static_cast<unsigned>(d)}};
  auto utc = date + hours{h - offset_h};
  auto utc_day = floor<days>(utc);
  year_month_day ymd{utc_day};
  char buf[32];
  std::snprintf(
      buf, sizeof(buf), "%04d-%02u-%02uT%02d", static_cast<int>(ymd.year()),
      static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
      static_cast<int>((utc - utc_day).count()));
  return buf;
}

std::vector<std::string> Periods(const OJson& page) {
  std::vector<std::string> out;
  for (const auto& row : page["response"]["data"]) out.push_back(row["period"]);
  return out;
}

OJson Data(httplib::Client& client, const std::string& route,
           const std::string& query) {
  auto res = MustGet(client, "/v2/electricity/rto/" + route + "/data/?" +
                                 query + "&api_key=K");
  INFO(res->body.substr(0, 300));
  REQUIRE(res->status == 200);
  return Parse(res->body);
}

std::string RegionDemand(const std::string& ba, const std::string& start,
                         const std::string& end) {
  return "frequency=local-hourly&data[]=value&facets[respondent][]=" + ba +
         "&facets[type][]=D&start=" + start + "&end=" + end;
}

TEST_CASE("local-hourly writes Pacific periods across both DST changes",
          "[mock][local-hourly]") {
  RunningServer s(ServerTestOptions());
  auto client = s.Client();
  // US DST 2024: from Sunday 10 March 02:00 PST (10:00 UTC) to Sunday
  // 3 November 02:00 PDT (09:00 UTC).
  OJson spring = Data(client, "region-data",
                      RegionDemand("PACW", "2024-03-10T08", "2024-03-10T11"));
  CHECK(spring["response"]["dateFormat"] == "YYYY-MM-DD\"T\"HH24TZH");
  CHECK(spring["response"]["frequency"] == "local-hourly");
  CHECK(spring["request"]["params"]["frequency"] == "local-hourly");
  CHECK(Periods(spring) ==
        std::vector<std::string>{"2024-03-10T00-08", "2024-03-10T01-08",
                                 "2024-03-10T03-07", "2024-03-10T04-07"});
  OJson fall = Data(client, "region-data",
                    RegionDemand("PACW", "2024-11-03T07", "2024-11-03T10"));
  // Local 01 comes twice, once in each offset.
  CHECK(Periods(fall) ==
        std::vector<std::string>{"2024-11-03T00-07", "2024-11-03T01-07",
                                 "2024-11-03T01-08", "2024-11-03T02-08"});
  // 1 November 2015 was itself the first Sunday of the month.
  CHECK(Periods(Data(client, "region-data",
                     RegionDemand("PACW", "2015-11-01T08", "2015-11-01T09"))) ==
        std::vector<std::string>{"2015-11-01T01-07", "2015-11-01T01-08"});
}

TEST_CASE("local-hourly writes Eastern periods across both DST changes",
          "[mock][local-hourly]") {
  RunningServer s(ServerTestOptions());
  auto client = s.Client();
  // Eastern switches at 07:00 UTC in March and 06:00 UTC in November.
  OJson spring = Data(client, "region-data",
                      RegionDemand("PJM", "2024-03-10T06", "2024-03-10T07"));
  CHECK(Periods(spring) ==
        std::vector<std::string>{"2024-03-10T01-05", "2024-03-10T03-04"});
  OJson fall = Data(client, "region-data",
                    RegionDemand("PJM", "2024-11-03T05", "2024-11-03T06"));
  CHECK(Periods(fall) ==
        std::vector<std::string>{"2024-11-03T01-04", "2024-11-03T01-05"});
  // 1 March 2026 is a Sunday, so the second Sunday is the 8th.
  CHECK(Periods(Data(client, "region-data",
                     RegionDemand("PJM", "2026-03-08T06", "2026-03-08T07"))) ==
        std::vector<std::string>{"2026-03-08T01-05", "2026-03-08T03-04"});
  // Summer and winter far from a change.
  CHECK(Periods(Data(client, "region-data",
                     RegionDemand("PJM", "2024-07-01T04", "2024-07-01T04"))) ==
        std::vector<std::string>{"2024-07-01T00-04"});
  CHECK(Periods(Data(client, "region-data",
                     RegionDemand("PJM", "2024-01-15T05", "2024-01-15T05"))) ==
        std::vector<std::string>{"2024-01-15T00-05"});
}

TEST_CASE("Arizona respondents stay at -07 all year", "[mock][local-hourly]") {
  RunningServer s(ServerTestOptions());
  auto client = s.Client();
  CHECK(Periods(Data(client, "region-data",
                     RegionDemand("SRP", "2023-03-20T07", "2023-03-20T07"))) ==
        std::vector<std::string>{"2023-03-20T00-07"});
  CHECK(Periods(Data(client, "region-data",
                     RegionDemand("SRP", "2023-07-20T07", "2023-07-20T07"))) ==
        std::vector<std::string>{"2023-07-20T00-07"});
}

TEST_CASE("local-hourly start and end accept UTC offsets and plain forms",
          "[mock][local-hourly]") {
  RunningServer s(ServerTestOptions());
  auto client = s.Client();
  // 2024-03-10T00-08:00 is 08 UTC; 2024-03-10T05-07:00 is 12 UTC.
  std::vector<std::string> expected = {"2024-03-10T00-08", "2024-03-10T01-08",
                                       "2024-03-10T03-07", "2024-03-10T04-07",
                                       "2024-03-10T05-07"};
  for (auto [start, end] : std::vector<std::pair<std::string, std::string>>{
           {"2024-03-10T00-08:00", "2024-03-10T05-07:00"},
           {"2024-03-10T00-08", "2024-03-10T05-07"},
           {"2024-03-10T00:00:00-08:00", "2024-03-10T05:00:00-07:00"},
           {"2024-03-10T08", "2024-03-10T12"},  // no offset: UTC
           {"2024-03-10T08Z", "2024-03-10T12:00:00Z"}}) {
    INFO(start << " .. " << end);
    CHECK(Periods(Data(client, "region-data",
                       RegionDemand("PACW", start, end))) == expected);
  }
  // A date-only bound is hour 00 UTC of that day, as for hourly.
  OJson day = Data(client, "region-data",
                   RegionDemand("PACW", "2024-01-01", "2024-01-02"));
  CHECK(day["response"]["total"] == "25");
  CHECK(Periods(day).front() == "2023-12-31T16-08");
  CHECK(Periods(day).back() == "2024-01-01T16-08");
  // The offset is percent-encoded by careful clients ('+' means a space).
  OJson encoded =
      Data(client, "region-data",
           RegionDemand("PACW", "2024-03-10T00-08%3A00", "2024-03-10T01-08"));
  CHECK(Periods(encoded) ==
        std::vector<std::string>{"2024-03-10T00-08", "2024-03-10T01-08"});
}

TEST_CASE("local-hourly rows carry the hourly values of the same instants",
          "[mock][local-hourly]") {
  RunningServer s(ServerTestOptions());
  auto client = s.Client();
  for (std::string route : {"region-data", "fuel-type-data",
                            "region-sub-ba-data", "interchange-data"}) {
    INFO(route);
    std::string common =
        "&data[]=value&start=2024-11-03T04&end=2024-11-03T11&length=5000";
    OJson local =
        Data(client, route, "frequency=local-hourly" + common + "&offset=100");
    OJson hourly =
        Data(client, route, "frequency=hourly" + common + "&offset=100");
    CHECK(local["response"]["total"] == hourly["response"]["total"]);
    const auto& l = local["response"]["data"];
    const auto& h = hourly["response"]["data"];
    REQUIRE(l.size() == h.size());
    REQUIRE(!l.empty());
    for (size_t i = 0; i < l.size(); ++i) {
      INFO(i << ": " << l[i].dump() << " vs " << h[i].dump());
      CHECK(LocalToUtc(l[i]["period"]) == h[i]["period"]);
      OJson row = l[i];
      row["period"] = h[i]["period"];
      CHECK(row == h[i]);
    }
  }
}

TEST_CASE("local-hourly pages add up to the truth endpoint's checksum",
          "[mock][local-hourly]") {
  RunningServer s(ServerTestOptions());
  auto client = s.Client();
  std::string params =
      "frequency=local-hourly&data[]=value&facets[respondent][]=PACW&facets["
      "respondent][]=PJM&start=2024-10-30T00-04:00&end=2024-11-06T00-08:00";
  auto truth_res = MustGet(
      client, "/_mock/truth/electricity/rto/fuel-type-data/data?" + params);
  REQUIRE(truth_res->status == 200);
  OJson truth = Parse(truth_res->body);
  uint64_t rows = truth["rows"].get<uint64_t>();
  // 7 days + 4 h in UTC, PACW 5 fuels + PJM 8 fuels, both ends inclusive.
  CHECK(rows == (7u * 24 + 4 + 1) * 13);
  uint64_t sum = 0, seen = 0;
  std::set<std::string> keys;
  for (uint64_t offset = 0; offset < rows; offset += 333) {
    OJson page = Data(client, "fuel-type-data",
                      params + "&length=333&offset=" + std::to_string(offset));
    CHECK(page["response"]["total"] == std::to_string(rows));
    for (const auto& row : page["response"]["data"]) {
      keys.insert(row["period"].get<std::string>() + "|" +
                  row["respondent"].get<std::string>() + "|" +
                  row["fueltype"].get<std::string>());
    }
    seen += page["response"]["data"].size();
    sum += PageChecksum(page);
  }
  CHECK(seen == rows);
  CHECK(keys.size() == rows);  // no row twice, even at the repeated 01 hour
  CHECK(Hex(sum) == truth["checksum"]);
  // The checksum hashes the local period text, so it is not the hourly one.
  std::string hourly = params;
  hourly.replace(0, std::string("frequency=local-hourly").size(),
                 "frequency=hourly");
  OJson hourly_truth = Parse(
      MustGet(client,
              "/_mock/truth/electricity/rto/fuel-type-data/data?" + hourly)
          ->body);
  CHECK(hourly_truth["rows"] == truth["rows"]);
  CHECK(hourly_truth["checksum"] != truth["checksum"]);
}

TEST_CASE("daily routes refuse local-hourly with the API's message",
          "[mock][local-hourly]") {
  RunningServer s(ServerTestOptions());
  auto client = s.Client();
  for (std::string route : {"daily-region-data", "daily-fuel-type-data"}) {
    INFO(route);
    auto res = MustGet(client, "/v2/electricity/rto/" + route +
                                   "/data/?frequency=local-hourly&api_key=K");
    CHECK(res->status == 400);
    CHECK(
        res->body ==
        R"({"error":"Invalid frequency 'local-hourly' provided. The only valid frequencies are 'daily'.","code":400})");
  }
  auto bad =
      MustGet(client, std::string(kFuelData) + "?frequency=daily&api_key=K");
  CHECK(bad->status == 400);
  CHECK(Parse(bad->body)["error"] ==
        "Invalid frequency 'daily' provided. The only valid frequencies are "
        "'hourly', and 'local-hourly'.");
}

TEST_CASE("metadata lists local-hourly on the hourly routes only",
          "[mock][local-hourly]") {
  RunningServer s(ServerTestOptions());
  auto client = s.Client();
  OJson hourly = Parse(
      MustGet(client, "/v2/electricity/rto/fuel-type-data/?api_key=K")->body);
  const auto& freq = hourly["response"]["frequency"];
  REQUIRE(freq.size() == 2);
  // As in the recorded fuel-type-data metadata (2.1.8).
  OJson local = {{"id", "local-hourly"},
                 {"alias", "hourly (Local Time Zone)"},
                 {"description", "One data point for each hour in local time."},
                 {"query", "LH"},
                 {"format", "YYYY-MM-DD\"T\"HH24TZH"}};
  CHECK(freq[1] == local);
  CHECK(hourly["response"]["defaultFrequency"] == "hourly");
  OJson daily =
      Parse(MustGet(client, "/v2/electricity/rto/daily-region-data/?api_key=K")
                ->body);
  CHECK(daily["response"]["frequency"].size() == 1);
}

}  // namespace
}  // namespace eiabench::mock::testing
