// The static shape of the mocked API: routes, their facets, the facet values
// (balancing authorities, fuel types, sub-regions, interchange pairs) and the
// series each route serves.
//
// Nothing here depends on the seed: the catalog is the same for every model.
// Values are derived later from (seed, series, period) by the generator.
//
// Periods are integers: hours since 1970-01-01T00 UTC for the hourly routes,
// days since 1970-01-01 for the daily routes.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace eiabench::mock {

// First and last period the mock serves (inclusive). Fixed, not "now", so the
// same query gives the same rows on every machine and every day.
inline constexpr int64_t kFirstHour = 398808;  // 2015-07-01T00
inline constexpr int64_t kLastHour = 498912;   // 2026-12-01T00
inline constexpr int64_t kFirstDay = 16617;    // 2015-07-01
inline constexpr int64_t kLastDay = 20788;     // 2026-12-01

struct FacetValue {
  std::string id;    // "PACW"
  std::string name;  // "PacifiCorp West"
};

struct FacetDef {
  std::string id;           // "respondent": the facet id and the row field
  std::string description;  // "Balancing Authority / Region"
  std::string name_field;   // "respondent-name": the row field of the name
  std::vector<FacetValue> values;  // sorted by id (byte order)
};

// How a series' values move over the day and the year.
enum class Shape : uint8_t {
  kDemand,     // daily double hump, summer and winter peaks
  kSolar,      // zero at night, bell by day, higher in summer
  kWind,       // slowly wandering, often low
  kBaseload,   // nearly flat (nuclear, coal)
  kFollowing,  // follows demand (gas, hydro, other)
  kSigned,     // crosses zero (interchange, batteries)
};

// The local time of an EIA-930 respondent. Every zone but Arizona keeps US
// daylight saving time.
enum class Zone : uint8_t { kEastern, kCentral, kMountain, kArizona, kPacific };

// Hours from UTC of the zone's standard time (Eastern -5 ... Pacific -8).
int StandardOffsetHours(Zone zone);

// Hours from UTC in effect in `zone` at the UTC hour `utc_hour` (hours since
// 1970-01-01T00). Daylight time follows the US rule in force since 2007:
// from the second Sunday of March, 02:00 local standard time, to the first
// Sunday of November, 02:00 local daylight time. Earlier years (before the
// mock's data) use the same rule.
int UtcOffsetHours(Zone zone, int64_t utc_hour);

struct Series {
  std::array<uint16_t, 3> value_index{};  // per facet, index into values
  int64_t first_period = 0;               // inclusive
  int64_t last_period = 0;                // inclusive
  double scale = 0;                       // typical magnitude, MWh per period
  Shape shape = Shape::kFollowing;
  int8_t utc_offset_h = 0;     // local standard time of the series' owner
  Zone zone = Zone::kEastern;  // local time for frequency=local-hourly
  uint64_t key_hash = 0;       // stable hash of the natural key
};

struct Route {
  std::string id;           // "fuel-type-data"
  std::string name;         // "Hourly Generation by Energy Source"
  std::string description;  // as the API writes it
  bool daily = false;
  std::vector<FacetDef> facets;  // in row-field order
  std::string data_alias;        // "Net Generation"
  std::vector<Series> series;    // sorted by facet value ids, facet order
  int64_t first_period = 0;
  int64_t last_period = 0;
};

// All routes the mock serves. Built once on first use; thread-safe.
const std::vector<Route>& Routes();

// The route with this id, or nullptr.
const Route* FindRoute(std::string_view id);

// Formats a period as the API writes it: "2024-01-01T00" (hourly) or
// "2024-01-01" (daily).
std::string FormatPeriod(int64_t period, bool daily);

// Formats a UTC hour as local-hourly writes it: the local hour in `zone`
// followed by the offset in effect, "2023-03-20T00-07".
std::string FormatLocalPeriod(int64_t utc_hour, Zone zone);

// Days since 1970-01-01 for a civil date; no validation.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);

}  // namespace eiabench::mock
