#include "mock_server/query.h"

#include <algorithm>
#include <charconv>
#include <map>

namespace eiabench::mock {
namespace {

using Json = nlohmann::ordered_json;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The pieces of a query string, gathered before they are put in echo order.
struct QueryParts {
  std::optional<std::string> frequency, start, end, offset, length;
  std::vector<std::pair<std::string, std::string>> data;  // (index, value)
  std::vector<std::pair<std::string, std::vector<std::string>>> facets;
  std::map<long, std::pair<std::string, std::string>> sort;  // column, dir
  bool has_data = false;
  bool has_sort = false;
};

// Splits "[a][b]" into {"a", "b"}; returns false on malformed brackets.
bool SplitBrackets(std::string_view rest, std::vector<std::string>* parts) {
  while (!rest.empty()) {
    if (rest.front() != '[') return false;
    size_t close = rest.find(']');
    if (close == std::string_view::npos) return false;
    parts->emplace_back(rest.substr(1, close - 1));
    rest.remove_prefix(close + 1);
  }
  return true;
}

void AddFacetValue(QueryParts& parts, const std::string& id,
                   std::string value) {
  for (auto& [facet, values] : parts.facets) {
    if (facet == id) {
      values.push_back(std::move(value));
      return;
    }
  }
  parts.facets.push_back({id, {std::move(value)}});
}

void AddPart(QueryParts& parts, RawParams& raw, const std::string& key,
             std::string value) {
  if (key == "api_key") {
    raw.api_key = std::move(value);
  } else if (key == "frequency") {
    parts.frequency = std::move(value);
  } else if (key == "start") {
    parts.start = std::move(value);
  } else if (key == "end") {
    parts.end = std::move(value);
  } else if (key == "offset") {
    parts.offset = std::move(value);
  } else if (key == "length") {
    parts.length = std::move(value);
  } else {
    size_t bracket = key.find('[');
    if (bracket == std::string::npos) return;
    std::string name = key.substr(0, bracket);
    std::vector<std::string> sub;
    if (!SplitBrackets(std::string_view(key).substr(bracket), &sub)) return;
    if (name == "data" && sub.size() == 1) {
      parts.has_data = true;
      parts.data.emplace_back(sub[0], std::move(value));
    } else if (name == "facets" && sub.size() == 2) {
      AddFacetValue(parts, sub[0], std::move(value));
    } else if (name == "sort" && sub.size() == 2) {
      parts.has_sort = true;
      long index = std::strtol(sub[0].c_str(), nullptr, 10);
      if (sub[1] == "column") parts.sort[index].first = std::move(value);
      if (sub[1] == "direction") parts.sort[index].second = std::move(value);
    }
  }
}

Json PartsToEcho(const QueryParts& parts) {
  Json echo = Json::object();
  if (parts.frequency) echo["frequency"] = *parts.frequency;
  if (parts.has_data) {
    Json data = Json::array();
    for (const auto& [index, value] : parts.data) data.push_back(value);
    echo["data"] = data;
  }
  if (!parts.facets.empty()) {
    Json facets = Json::object();
    for (const auto& [id, values] : parts.facets) facets[id] = values;
    echo["facets"] = facets;
  }
  if (parts.start) echo["start"] = *parts.start;
  if (parts.end) echo["end"] = *parts.end;
  if (parts.has_sort) {
    Json sort = Json::array();
    for (const auto& [index, entry] : parts.sort) {
      Json item = Json::object();
      item["column"] = entry.first;
      item["direction"] = entry.second.empty() ? "asc" : entry.second;
      sort.push_back(item);
    }
    echo["sort"] = sort;
  }
  if (parts.offset) echo["offset"] = *parts.offset;
  if (parts.length) echo["length"] = *parts.length;
  return echo;
}

// "'a', 'b', and 'c'" as the API lists valid choices.
std::string ListChoices(const std::vector<std::string>& choices) {
  std::string out;
  for (size_t i = 0; i < choices.size(); ++i) {
    if (i > 0) out += ", ";
    if (i > 0 && i + 1 == choices.size()) out += "and ";
    out += "'" + choices[i] + "'";
  }
  return out;
}

std::optional<std::string> AsText(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_integer()) return std::to_string(value.get<int64_t>());
  return std::nullopt;
}

// Strings from a JSON array of strings or a single string.
bool AsTextList(const Json& value, std::vector<std::string>* out) {
  if (value.is_string() || value.is_number_integer()) {
    out->push_back(*AsText(value));
    return true;
  }
  if (!value.is_array()) return false;
  for (const Json& item : value) {
    auto text = AsText(item);
    if (!text) return false;
    out->push_back(*text);
  }
  return true;
}

bool ParseCount(const Json& value, int64_t* out) {
  auto text = AsText(value);
  if (!text || text->empty()) return false;
  int64_t n = 0;
  auto [ptr, ec] =
      std::from_chars(text->data(), text->data() + text->size(), n);
  if (ec != std::errc() || ptr != text->data() + text->size() || n < 0) {
    return false;
  }
  *out = n;
  return true;
}

std::string Describe(const Json& value) {
  auto text = AsText(value);
  return text ? *text : value.dump();
}

bool Fail(QueryError* error, std::string message) {
  error->status = 400;
  error->message = std::move(message);
  return false;
}

bool CheckFrequency(const Route& route, const Json& echo, DataQuery* q,
                    QueryError* error) {
  std::vector<std::string> valid =
      route.daily ? std::vector<std::string>{"daily"}
                  : std::vector<std::string>{"hourly", "local-hourly"};
  q->frequency = valid[0];
  if (!echo.contains("frequency") || echo["frequency"].is_null()) return true;
  auto freq = AsText(echo["frequency"]);
  if (freq && std::find(valid.begin(), valid.end(), *freq) != valid.end()) {
    q->frequency = *freq;
    q->local_time = *freq == "local-hourly";
    return true;
  }
  return Fail(error, "Invalid frequency '" + Describe(echo["frequency"]) +
                         "' provided. The only valid frequencies are " +
                         ListChoices(valid) + ".");
}

bool CheckData(const Json& echo, DataQuery* q, QueryError* error) {
  if (!echo.contains("data") || echo["data"].is_null()) return true;
  std::vector<std::string> columns;
  if (!AsTextList(echo["data"], &columns)) {
    return Fail(error, "Invalid data parameter: expected a list of columns.");
  }
  for (const std::string& column : columns) {
    if (column != "value") {
      return Fail(error, "Invalid data '" + column +
                             "' provided. The only valid data are 'value'.");
    }
    q->with_value = true;
  }
  return true;
}

std::vector<std::string> FacetIds(const Route& route) {
  std::vector<std::string> ids;
  for (const FacetDef& f : route.facets) ids.push_back(f.id);
  return ids;
}

int FacetIndex(const Route& route, std::string_view id) {
  for (size_t i = 0; i < route.facets.size(); ++i) {
    if (route.facets[i].id == id) return static_cast<int>(i);
  }
  return -1;
}

// The facet whose name column is `column` ("respondent-name"), or -1.
int NameFieldIndex(const Route& route, std::string_view column) {
  for (size_t i = 0; i < route.facets.size(); ++i) {
    if (route.facets[i].name_field == column) return static_cast<int>(i);
  }
  return -1;
}

bool CheckFacets(const Route& route, const Json& echo, DataQuery* q,
                 QueryError* error) {
  q->facet_filter.assign(route.facets.size(), {});
  q->facet_filtered.assign(route.facets.size(), false);
  if (!echo.contains("facets") || echo["facets"].is_null()) return true;
  const Json& facets = echo["facets"];
  if (!facets.is_object()) {
    if (facets.is_array() && facets.empty()) return true;
    return Fail(error, "Invalid facets parameter: expected an object.");
  }
  for (const auto& [id, values] : facets.items()) {
    int index = FacetIndex(route, id);
    if (index < 0) {
      return Fail(error, "Invalid facet '" + id +
                             "' provided. The only valid facets are " +
                             ListChoices(FacetIds(route)) + ".");
    }
    std::vector<std::string> wanted;
    if (!AsTextList(values, &wanted)) {
      return Fail(error, "Invalid values for facet '" + id + "'.");
    }
    q->facet_filtered[index] = true;
    const auto& known = route.facets[index].values;
    for (const std::string& w : wanted) {
      auto it = std::lower_bound(
          known.begin(), known.end(), w,
          [](const FacetValue& v, const std::string& x) { return v.id < x; });
      if (it != known.end() && it->id == w) {
        q->facet_filter[index].push_back(
            static_cast<uint16_t>(it - known.begin()));
      }
    }
    std::sort(q->facet_filter[index].begin(), q->facet_filter[index].end());
  }
  return true;
}

bool CheckDates(const Route& route, const Json& echo, DataQuery* q,
                QueryError* error) {
  q->first_period = route.first_period;
  q->last_period = route.last_period;
  for (const char* bound : {"start", "end"}) {
    if (!echo.contains(bound) || echo[bound].is_null()) continue;
    auto text = AsText(echo[bound]);
    std::optional<int64_t> period;
    if (text) period = ParsePeriod(*text, route.daily);
    if (!period) {
      return Fail(error, std::string("Invalid ") + bound + " date '" +
                             Describe(echo[bound]) +
                             "' provided. Dates must be " +
                             (route.daily ? "YYYY-MM-DD."
                                          : "YYYY-MM-DD or "
                                            "YYYY-MM-DDTHH."));
    }
    if (bound[0] == 's') {
      q->first_period = std::max(q->first_period, *period);
    } else {
      q->last_period = std::min(q->last_period, *period);
    }
  }
  return true;
}

bool CheckSort(const Route& route, const Json& echo, DataQuery* q,
               QueryError* error) {
  q->sort.clear();
  std::vector<bool> used(route.facets.size() + 1, false);
  std::vector<bool> used_name(route.facets.size(), false);
  bool used_value = false;
  if (echo.contains("sort") && !echo["sort"].is_null()) {
    const Json& sort = echo["sort"];
    if (!sort.is_array()) {
      return Fail(error, "Invalid sort parameter: expected a list.");
    }
    std::vector<std::string> columns = FacetIds(route);
    columns.insert(columns.begin(), "period");
    for (const FacetDef& f : route.facets) columns.push_back(f.name_field);
    columns.push_back("value");
    for (const Json& item : sort) {
      if (!item.is_object() || !item.contains("column")) {
        return Fail(error,
                    "Invalid sort parameter: each entry needs a "
                    "column.");
      }
      std::string column = Describe(item["column"]);
      std::string direction =
          item.contains("direction") ? Describe(item["direction"]) : "asc";
      std::transform(direction.begin(), direction.end(), direction.begin(),
                     [](unsigned char c) { return std::tolower(c); });
      int facet = column == "period"  ? kSortPeriod
                  : column == "value" ? kSortValue
                                      : FacetIndex(route, column);
      int named = NameFieldIndex(route, column);
      bool known =
          column == "period" || column == "value" || facet >= 0 || named >= 0;
      if (!known) {
        return Fail(error, "Invalid sort column '" + column +
                               "' provided. The only valid columns are " +
                               ListChoices(columns) + ".");
      }
      if (direction != "asc" && direction != "desc") {
        return Fail(error, "Invalid sort direction '" + direction +
                               "' provided. The only valid directions are "
                               "'asc', and 'desc'.");
      }
      if (named >= 0) {
        // Names describe ids one to one, so a name key orders series like
        // an id key with another ranking; the id keys still complete it.
        if (used_name[named]) continue;
        used_name[named] = true;
        q->sort.push_back({named, direction == "desc", true});
        continue;
      }
      if (facet == kSortValue) {
        // Rows are ordered by value only where the earlier keys tie; the
        // result set materialises them for it (see result_set.h).
        if (used_value) continue;
        used_value = true;
        q->sort.push_back({kSortValue, direction == "desc"});
        continue;
      }
      if (used[facet + 1]) continue;
      used[facet + 1] = true;
      q->sort.push_back({facet, direction == "desc"});
    }
  }
  // The default order (and the tie-break after any given keys) is period
  // then every facet ascending, so offset paging is stable without a sort.
  if (!used[0]) q->sort.push_back({-1, false});
  for (size_t f = 0; f < route.facets.size(); ++f) {
    if (!used[f + 1]) q->sort.push_back({static_cast<int>(f), false});
  }
  return true;
}

bool CheckPaging(const Json& echo, DataQuery* q, QueryError* error) {
  if (echo.contains("offset") && !echo["offset"].is_null() &&
      !ParseCount(echo["offset"], &q->offset)) {
    return Fail(error, "Invalid offset '" + Describe(echo["offset"]) +
                           "' provided. The offset must be a non-negative "
                           "integer.");
  }
  int64_t length = kMaxRowsPerPage;
  if (echo.contains("length") && !echo["length"].is_null() &&
      !ParseCount(echo["length"], &length)) {
    return Fail(error, "Invalid length '" + Describe(echo["length"]) +
                           "' provided. The length must be a non-negative "
                           "integer.");
  }
  q->length_over_cap = length > kMaxRowsPerPage;
  q->length = std::min(length, kMaxRowsPerPage);
  return true;
}

// Reads exactly `n` digits at text[pos]; returns -1 on failure.
int Digits(std::string_view text, size_t pos, size_t n) {
  if (pos + n > text.size()) return -1;
  int value = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

int DaysInMonth(int year, int month) {
  int next_year = month == 12 ? year + 1 : year;
  int next_month = month == 12 ? 1 : month + 1;
  return static_cast<int>(DaysFromCivil(next_year, next_month, 1) -
                          DaysFromCivil(year, month, 1));
}

// Parses a UTC offset suffix: "Z", "-05", "-05:00", "+0530". Returns minutes.
std::optional<int> ParseOffset(std::string_view text) {
  if (text.empty()) return 0;
  if (text == "Z" || text == "z") return 0;
  if (text[0] != '+' && text[0] != '-') return std::nullopt;
  int sign = text[0] == '-' ? -1 : 1;
  int hours = Digits(text, 1, 2);
  if (hours < 0) return std::nullopt;
  std::string_view rest = text.substr(3);
  if (!rest.empty() && rest[0] == ':') rest.remove_prefix(1);
  int minutes = 0;
  if (!rest.empty()) {
    minutes = Digits(rest, 0, 2);
    if (minutes < 0 || rest.size() != 2) return std::nullopt;
  }
  return sign * (hours * 60 + minutes);
}

}  // namespace

std::string PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 &&
               HexValue(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(text[i + 1]) * 16 +
                                      HexValue(text[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

RawParams ParseQueryString(std::string_view query) {
  RawParams raw;
  QueryParts parts;
  size_t pos = 0;
  while (pos < query.size()) {
    size_t amp = query.find('&', pos);
    if (amp == std::string_view::npos) amp = query.size();
    std::string_view pair = query.substr(pos, amp - pos);
    pos = amp + 1;
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string key = PercentDecode(pair.substr(0, eq));
    std::string value =
        eq == std::string_view::npos ? "" : PercentDecode(pair.substr(eq + 1));
    AddPart(parts, raw, key, std::move(value));
  }
  raw.echo = PartsToEcho(parts);
  return raw;
}

bool MergeJsonParams(std::string_view json_text, RawParams& params,
                     std::string* error) {
  Json parsed = Json::parse(json_text, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    *error = "Invalid JSON parameters: expected a JSON object.";
    return false;
  }
  for (auto& [key, value] : parsed.items()) {
    if (key == "api_key") {
      if (value.is_string()) params.api_key = value.get<std::string>();
      continue;
    }
    params.echo[key] = value;
  }
  return true;
}

std::optional<int64_t> ParsePeriod(std::string_view text, bool daily) {
  int year = Digits(text, 0, 4);
  if (year < 0) return std::nullopt;
  int month = 1, day = 1, hour = 0;
  size_t pos = 4;
  if (pos < text.size() && text[pos] == '-') {
    month = Digits(text, 5, 2);
    pos = 7;
    if (month >= 1 && pos < text.size() && text[pos] == '-') {
      day = Digits(text, 8, 2);
      pos = 10;
    }
  }
  if (month < 1 || month > 12 || day < 1) return std::nullopt;
  // A day that does not exist (2024-02-30) is malformed, not rolled over.
  if (DaysFromCivil(year, month, day) >=
      DaysFromCivil(year, month, 1) + DaysInMonth(year, month)) {
    return std::nullopt;
  }
  int offset_min = 0;
  if (pos < text.size() &&
      (text[pos] == 'T' || text[pos] == 't' || text[pos] == ' ')) {
    hour = Digits(text, pos + 1, 2);
    if (hour < 0 || hour > 23) return std::nullopt;
    pos += 3;
    // Optional ":MM" and ":SS", ignored (the API works in whole hours).
    for (int part = 0; part < 2 && pos < text.size() && text[pos] == ':';
         ++part) {
      if (Digits(text, pos + 1, 2) < 0) return std::nullopt;
      pos += 3;
    }
    auto offset = ParseOffset(text.substr(pos));
    if (!offset) return std::nullopt;
    offset_min = *offset;
    pos = text.size();
  }
  if (pos != text.size()) return std::nullopt;
  int64_t days = DaysFromCivil(year, month, day);
  if (daily) return days;
  // Local time minus its offset is UTC; whole hours only, rounded down.
  int64_t minutes = (days * 24 + hour) * 60 - offset_min;
  return minutes >= 0 ? minutes / 60 : (minutes - 59) / 60;
}

bool BuildDataQuery(const Route& route, const RawParams& params,
                    DataQuery* query, QueryError* error) {
  query->route = &route;
  const Json& echo = params.echo;
  return CheckFrequency(route, echo, query, error) &&
         CheckData(echo, query, error) &&
         CheckFacets(route, echo, query, error) &&
         CheckDates(route, echo, query, error) &&
         CheckSort(route, echo, query, error) &&
         CheckPaging(echo, query, error);
}

}  // namespace eiabench::mock
