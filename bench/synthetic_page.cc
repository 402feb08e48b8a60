#include "bench/synthetic_page.h"

#include <array>
#include <cstdio>
#include <string_view>

namespace eiabench::bench {
namespace {

struct Fuel {
  std::string_view code;
  std::string_view name;
  int base_mwh;   // typical hourly value
  int swing_mwh;  // amplitude of the pseudo-random part
};

// The five series PACW fuel-type-data held in 2024 (SEED_FINDINGS §3).
constexpr std::array<Fuel, 5> kFuels = {{
    {"NG", "Natural Gas", 150, 400},
    {"OTH", "Other", 40, 20},
    {"SUN", "Solar", 0, 300},
    {"WAT", "Hydro", 250, 1500},
    {"WND", "Wind", -5, 450},
}};

constexpr std::string_view kWarnings =
    R"({"warnings":[{"warning":"incomplete return","description":"The API )"
    R"(can only return 5000 rows in JSON format.  Please consider )"
    R"(constraining your request with facet, start, or end, or using )"
    R"(offset to paginate results."}],)";

constexpr std::string_view kDescription =
    R"(Hourly net generation by balancing authority and energy source.  )"
    R"(\n    Source: Form EIA-930\n    Product: Hourly Electric Grid )"
    R"(Monitor)";

// SplitMix64: a cheap, well-mixed value stream.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// "YYYY-MM-DDTHH" for `hour_index` hours after 2024-01-01T00 (2024 is a
// leap year; the generator stays within years 2024-2027).
std::string PeriodOf(int hour_index) {
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
  int day = hour_index / 24, year = 2024, month = 0;
  for (;;) {
    int month_days = kDays[month] - (month == 1 && year % 4 != 0 ? 1 : 0);
    if (day < month_days) break;
    day -= month_days;
    if (++month == 12) month = 0, ++year;
  }
  char text[40];  // room for any int, so -Wformat-truncation stays quiet
  std::snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d", year, month + 1,
                day + 1, hour_index % 24);
  return text;
}

void AppendRow(const SyntheticPageSpec& spec, int row, std::string* out) {
  const Fuel& fuel = kFuels[row % kFuels.size()];
  int hour = spec.first_hour_index + row / static_cast<int>(kFuels.size());
  if (row > 0) out->push_back(',');
  out->append(R"({"period":")").append(PeriodOf(hour));
  out->append(R"(","respondent":")").append(spec.respondent);
  out->append(R"(","respondent-name":"PacifiCorp West","fueltype":")");
  out->append(fuel.code).append(R"(","type-name":")").append(fuel.name);
  out->append(R"(","value":)");
  if (spec.null_every > 0 && (row + 1) % spec.null_every == 0) {
    out->append("null");
  } else {
    uint64_t r = Mix(spec.seed * 1000003u + static_cast<uint64_t>(row));
    int value = fuel.base_mwh + static_cast<int>(r % (fuel.swing_mwh + 1));
    out->push_back('"');
    out->append(std::to_string(value)).push_back('"');
  }
  out->append(R"(,"value-units":"megawatthours"})");
}

void AppendRequestEcho(const SyntheticPageSpec& spec, std::string* out) {
  out->append(
      R"("request":{"command":"\/v2\/electricity\/rto\/fuel-type-data\/)"
      R"(data\/","params":{"frequency":"hourly","data":["value"],)"
      R"("facets":{"respondent":[")");
  out->append(spec.respondent);
  out->append(R"("]},"start":")").append(PeriodOf(spec.first_hour_index));
  out->append(R"(","sort":[{"column":"period","direction":"asc"}],)"
              R"("length":"5000"}},)");
}

}  // namespace

std::string MakeFuelTypePage(const SyntheticPageSpec& spec) {
  std::string out;
  out.reserve(static_cast<size_t>(spec.rows) * 170 + 1024);
  if (spec.total > static_cast<uint64_t>(spec.rows)) {
    out.append(kWarnings);
  } else {
    out.push_back('{');
  }
  out.append(R"("response":{"total":")").append(std::to_string(spec.total));
  out.append(R"(","dateFormat":"YYYY-MM-DD\"T\"HH24","frequency":"hourly",)"
             R"("data":[)");
  for (int row = 0; row < spec.rows; ++row) AppendRow(spec, row, &out);
  out.append(R"(],"description":")").append(kDescription).append("\"},");
  AppendRequestEcho(spec, &out);
  out.append(R"("apiVersion":"2.1.8","ExcelAddInVersion":"2.1.0"})");
  return out;
}

}  // namespace eiabench::bench
