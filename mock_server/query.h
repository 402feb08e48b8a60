// Parsing and validating a data request the way the EIA API v2 takes it.
//
// Parameters may come from the query string (`frequency=hourly&data[0]=value
// &facets[respondent][]=PACW&start=2024-01-01&sort[0][column]=period...`),
// from the JSON `X-Params` header, or from a POST JSON body; later sources
// override earlier ones key by key (query < X-Params < body).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mock_server/catalog.h"

namespace eiabench::mock {

// Rows per JSON response at most, as on the live API.
inline constexpr int64_t kMaxRowsPerPage = 5000;

// The raw parameters of one request before validation, in the order the
// live API echoes them: frequency, data, facets, start, end, sort, offset,
// length. Query-string values are strings; JSON values keep their types.
struct RawParams {
  nlohmann::ordered_json echo = nlohmann::ordered_json::object();
  std::optional<std::string> api_key;  // never echoed
};

// Decodes %XX and '+' in a query-string component.
std::string PercentDecode(std::string_view text);

// Parses a raw query string (without '?'). Never fails: unknown keys are
// ignored, as the live API ignores them.
RawParams ParseQueryString(std::string_view query);

// Merges a JSON object (X-Params header or POST body) over `params`. Returns
// false and sets `error` when the text is not a JSON object.
bool MergeJsonParams(std::string_view json_text, RawParams& params,
                     std::string* error);

// Sort key columns that are not facets.
inline constexpr int kSortPeriod = -1;
inline constexpr int kSortValue = -2;

struct SortKey {
  int facet = kSortPeriod;  // kSortPeriod, kSortValue or a Route::facets index
  bool descending = false;
  bool by_name = false;  // the facet's name column ("respondent-name")
};

// A validated data query.
struct DataQuery {
  const Route* route = nullptr;
  std::string frequency;  // "hourly", "local-hourly" or "daily"
  // local-hourly: the same rows as hourly, periods written in the series'
  // local time with its UTC offset. Periods stay UTC hours inside.
  bool local_time = false;
  bool with_value = false;                          // data[]=value was asked
  std::vector<std::vector<uint16_t>> facet_filter;  // per facet; empty = all
  std::vector<bool> facet_filtered;  // per facet: a filter was given
  int64_t first_period = 0;          // inclusive, clipped to the route
  int64_t last_period = -1;          // inclusive; < first: empty
  // Complete: every facet and period appear once; a value key, if any,
  // appears once too, anywhere in the list.
  std::vector<SortKey> sort;
  int64_t offset = 0;
  int64_t length = kMaxRowsPerPage;  // rows in this page, after the cap
  bool length_over_cap = false;      // length > 5000 was asked
};

struct QueryError {
  int status = 400;
  std::string message;  // the API's "error" text
};

// Validates `params` for `route`. On failure returns false and fills `error`
// with the status and message the live API gives.
bool BuildDataQuery(const Route& route, const RawParams& params,
                    DataQuery* query, QueryError* error);

// Parses an hourly or daily date bound as the API accepts it: "2024-01-01",
// "2024-01-01T05", "2024-01-01T05:00:00-05:00", "2024-01-01T05Z" ... Returns
// the period (hour or day index) or nullopt when the text is not a date.
std::optional<int64_t> ParsePeriod(std::string_view text, bool daily);

}  // namespace eiabench::mock
