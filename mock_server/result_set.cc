#include "mock_server/result_set.h"

#include <xxhash.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <climits>
#include <cmath>
#include <string>
#include <type_traits>

#include "mock_server/json_text.h"

namespace eiabench::mock {
namespace {

constexpr double kTwoPi = 6.283185307179586;
constexpr std::string_view kUnits = "megawatthours";

// The JSON text and the checksum text of each series' facet fields, built
// once per route: rows then only append preformatted bytes.
struct RouteText {
  std::vector<std::string> json;  // "respondent":"PACW",...,"type-name":"Wind"
  std::vector<std::string> canonical;  // respondent=PACW;...;type-name=Wind;
};

RouteText BuildRouteText(const Route& route) {
  RouteText text;
  for (const Series& s : route.series) {
    std::string json, canonical;
    for (size_t f = 0; f < route.facets.size(); ++f) {
      const FacetDef& facet = route.facets[f];
      const FacetValue& v = facet.values[s.value_index[f]];
      if (f > 0) json.push_back(',');
      AppendQuoted(json, facet.id);
      json.push_back(':');
      AppendQuoted(json, v.id);
      json.push_back(',');
      AppendQuoted(json, facet.name_field);
      json.push_back(':');
      AppendQuoted(json, v.name);
      canonical +=
          facet.id + "=" + v.id + ";" + facet.name_field + "=" + v.name + ";";
    }
    text.json.push_back(std::move(json));
    text.canonical.push_back(std::move(canonical));
  }
  return text;
}

const RouteText& TextFor(const Route* route) {
  static const std::vector<RouteText> texts = [] {
    std::vector<RouteText> all;
    for (const Route& r : Routes()) all.push_back(BuildRouteText(r));
    return all;
  }();
  return texts[route - Routes().data()];
}

uint64_t Mix(uint64_t x) {
  // splitmix64 finaliser: a cheap, well-spread 64-bit mix.
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

double Unit(uint64_t h) { return static_cast<double>(h >> 11) * 0x1.0p-53; }

void AppendInt(std::string& out, int64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, end);
}

bool Matches(const DataQuery& q, const Series& s) {
  for (size_t f = 0; f < q.facet_filter.size(); ++f) {
    if (!q.facet_filtered[f]) continue;
    const auto& allowed = q.facet_filter[f];
    if (!std::binary_search(allowed.begin(), allowed.end(), s.value_index[f])) {
      return false;
    }
  }
  return s.first_period <= q.last_period && s.last_period >= q.first_period;
}

}  // namespace

uint64_t RowHash(
    const std::vector<std::pair<std::string, std::optional<std::string>>>&
        fields) {
  std::string canonical;
  for (const auto& [key, value] : fields) {
    canonical += key;
    canonical += '=';
    canonical += value ? std::string_view(*value) : std::string_view("null");
    canonical += ';';
  }
  return XXH3_64bits(canonical.data(), canonical.size());
}

namespace {

// Shapes by hour of day and by day of year, computed once: the hot loop
// then costs a hash and a few multiplications per row.
struct ShapeTables {
  double daily[24];       // demand-like afternoon peak, night trough
  double sun[24];         // zero at night, bell by day
  double signed_day[24];  // interchange swing over the day
  double season[365];     // summer and winter peaks
  double summer[365];     // solar: higher in summer
  ShapeTables() {
    for (int h = 0; h < 24; ++h) {
      double day_phase = kTwoPi * h / 24.0;
      daily[h] = 0.85 + 0.15 * std::sin(day_phase - 2.4);
      sun[h] = std::max(0.0, std::sin((h - 6) * kTwoPi / 24.0));
      signed_day[h] = 0.4 * std::sin(day_phase);
    }
    for (int d = 0; d < 365; ++d) {
      double year_phase = kTwoPi * d / 365.0;
      season[d] = 1.0 + 0.10 * std::cos(2 * (year_phase - 3.5));
      summer[d] = 0.7 + 0.3 * std::cos(year_phase - 3.0);
    }
  }
};

const ShapeTables& Tables() {
  static const ShapeTables tables;
  return tables;
}

}  // namespace

std::optional<int64_t> SeriesValue(const Series& series, int64_t period,
                                   bool daily, uint64_t seed,
                                   double null_rate) {
  const ShapeTables& t = Tables();
  uint64_t h = Mix(seed ^ series.key_hash ^ Mix(static_cast<uint64_t>(period)));
  if (null_rate > 0 && Unit(Mix(h ^ 0x5bd1e995)) < null_rate) {
    return std::nullopt;
  }
  double noise = Unit(h);
  int64_t day = daily ? period : period / 24;
  int hour =
      daily ? 12
            : static_cast<int>(((period + series.utc_offset_h) % 24 + 24) % 24);
  int doy = static_cast<int>(((day % 365) + 365) % 365);
  double season = t.season[doy];
  double daily_shape = daily ? 1.0 : t.daily[hour];
  double v = 0;
  switch (series.shape) {
    case Shape::kDemand:
      v = series.scale * season * daily_shape * (0.97 + 0.06 * noise);
      break;
    case Shape::kSolar: {
      double sun = daily ? 0.3 : t.sun[hour];
      v = series.scale * 3.0 * sun * t.summer[doy] * (0.8 + 0.2 * noise);
      break;
    }
    case Shape::kWind: {
      double slow = 0.5 + 0.5 * std::sin(static_cast<double>(period) * 0.07 +
                                         Unit(series.key_hash) * 6.0);
      v = series.scale * 2.0 * slow * (0.7 + 0.3 * noise);
      break;
    }
    case Shape::kBaseload:
      v = series.scale * (0.93 + 0.07 * noise);
      break;
    case Shape::kFollowing:
      v = series.scale * season * daily_shape * (0.85 + 0.3 * noise);
      break;
    case Shape::kSigned:
      v = series.scale * ((2 * noise - 1) + (daily ? 0 : t.signed_day[hour]));
      break;
  }
  return static_cast<int64_t>(v < 0 ? v - 0.5 : v + 0.5);
}

ResultSet::ResultSet(const DataQuery& query, uint64_t seed, double null_rate)
    : query_(query), route_(query.route), seed_(seed), null_rate_(null_rate) {
  // The generator knows only period and facet keys: a value key is taken
  // out here and applied on top of the base order (see ValueWindow).
  auto& keys = query_.sort;
  for (size_t k = 0; k < keys.size(); ++k) {
    if (keys[k].facet != kSortValue) continue;
    value_pos_ = static_cast<int>(k);
    value_descending_ = keys[k].descending;
    keys.erase(keys.begin() + static_cast<std::ptrdiff_t>(k));
    break;
  }
  std::vector<uint32_t> members;
  if (query_.first_period <= query_.last_period) {
    // Series are sorted by their first facet: a filter on it narrows the
    // scan to a few binary-searched ranges instead of the whole route.
    const auto& series = route_->series;
    auto scan = [&](size_t from, size_t to) {
      for (size_t i = from; i < to; ++i) {
        if (Matches(query_, series[i])) {
          members.push_back(static_cast<uint32_t>(i));
        }
      }
    };
    if (!query_.facet_filtered.empty() && query_.facet_filtered[0]) {
      for (uint16_t value : query_.facet_filter[0]) {
        auto range = std::equal_range(
            series.begin(), series.end(), value,
            [](const auto& a, const auto& b) {
              if constexpr (std::is_same_v<std::decay_t<decltype(a)>,
                                           uint16_t>) {
                return a < b.value_index[0];
              } else {
                return a.value_index[0] < b;
              }
            });
        scan(range.first - series.begin(), range.second - series.begin());
      }
    } else {
      scan(0, series.size());
    }
  }
  BuildGroups(std::move(members));
}

void ResultSet::BuildGroups(std::vector<uint32_t> members) {
  const auto& keys = query_.sort;
  size_t period_pos = 0;
  while (keys[period_pos].facet >= 0) ++period_pos;
  period_descending_ = keys[period_pos].descending;
  auto compare_from = [&](size_t from, size_t to, uint32_t a, uint32_t b) {
    for (size_t k = from; k < to; ++k) {
      if (keys[k].facet < 0) continue;
      uint16_t va = route_->series[a].value_index[keys[k].facet];
      uint16_t vb = route_->series[b].value_index[keys[k].facet];
      if (va == vb) continue;
      if (keys[k].by_name) {
        const auto& values = route_->facets[keys[k].facet].values;
        int order = values[va].name.compare(values[vb].name);
        if (order != 0) return keys[k].descending ? order > 0 : order < 0;
        continue;
      }
      return keys[k].descending ? va > vb : va < vb;
    }
    return false;
  };
  std::stable_sort(members.begin(), members.end(), [&](uint32_t a, uint32_t b) {
    return compare_from(0, keys.size(), a, b);
  });
  size_t start = 0;
  while (start < members.size()) {
    size_t end = start + 1;
    while (end < members.size() &&
           !compare_from(0, period_pos, members[start], members[end])) {
      ++end;
    }
    std::vector<uint32_t> group(members.begin() + start, members.begin() + end);
    groups_.push_back(BuildGroup(group));
    total_ += groups_.back().rows;
    start = end;
  }
}

ResultSet::Group ResultSet::BuildGroup(
    const std::vector<uint32_t>& members) const {
  std::vector<int64_t> cuts;
  for (uint32_t m : members) {
    const Series& s = route_->series[m];
    cuts.push_back(std::max(s.first_period, query_.first_period));
    cuts.push_back(std::min(s.last_period, query_.last_period) + 1);
  }
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  Group group;
  for (size_t i = 0; i + 1 < cuts.size(); ++i) {
    Segment seg{cuts[i], cuts[i + 1] - 1, {}};
    for (uint32_t m : members) {
      const Series& s = route_->series[m];
      if (s.first_period <= seg.first && s.last_period >= seg.last) {
        seg.active.push_back(m);
      }
    }
    if (seg.active.empty()) continue;
    group.rows += seg.rows();
    group.segments.push_back(std::move(seg));
  }
  if (period_descending_) {
    std::reverse(group.segments.begin(), group.segments.end());
  }
  return group;
}

template <typename Visit>
void ResultSet::ForEach(uint64_t offset, uint64_t count, Visit&& visit) const {
  for (const Group& group : groups_) {
    if (count == 0) return;
    if (offset >= group.rows) {
      offset -= group.rows;
      continue;
    }
    for (const Segment& seg : group.segments) {
      if (count == 0) return;
      if (offset >= seg.rows()) {
        offset -= seg.rows();
        continue;
      }
      const uint64_t width = seg.active.size();
      const uint64_t span = static_cast<uint64_t>(seg.last - seg.first + 1);
      uint64_t step = offset / width;
      size_t column = static_cast<size_t>(offset % width);
      offset = 0;
      for (; step < span && count > 0; ++step) {
        int64_t period = period_descending_
                             ? seg.last - static_cast<int64_t>(step)
                             : seg.first + static_cast<int64_t>(step);
        for (; column < width && count > 0; ++column, --count) {
          visit(seg.active[column], period);
        }
        column = 0;
      }
    }
  }
}

namespace {

// The period text of rows, cached: hourly and daily text depends on the
// period only, local-hourly text also on the series' zone.
class PeriodText {
 public:
  PeriodText(const Route& route, bool local_time)
      : route_(route), local_time_(local_time) {
    last_.fill(INT64_MIN);
  }

  const std::string& For(uint32_t series, int64_t period) {
    size_t slot = 0;
    Zone zone = route_.series[series].zone;
    if (local_time_) slot = static_cast<size_t>(zone);
    if (last_[slot] != period) {
      text_[slot] = local_time_ ? FormatLocalPeriod(period, zone)
                                : FormatPeriod(period, route_.daily);
      last_[slot] = period;
    }
    return text_[slot];
  }

 private:
  static constexpr size_t kSlots = static_cast<size_t>(Zone::kPacific) + 1;
  const Route& route_;
  bool local_time_;
  std::array<int64_t, kSlots> last_;
  std::array<std::string, kSlots> text_;
};

}  // namespace

std::string ResultSet::ValueSortError() const {
  return "Sorting by value is not modelled for more than " +
         std::to_string(kMaxValueSortRows) + " rows; this query selects " +
         std::to_string(total_) +
         ". Narrow it with facets, start or end, or sort by period.";
}

std::vector<ResultSet::ValueRow> ResultSet::ValueWindow(uint64_t offset,
                                                        uint64_t count) const {
  std::vector<ValueRow> rows;
  if (offset >= total_ || count == 0) return rows;
  rows.reserve(total_);
  // Rows whose keys before the value key are equal form runs of the base
  // order; a run is a group, and values are ordered within a group only.
  const auto& keys = query_.sort;
  const size_t before = static_cast<size_t>(value_pos_);
  auto same_group = [&](const ValueRow& a, uint32_t series, int64_t period) {
    for (size_t k = 0; k < before; ++k) {
      int f = keys[k].facet;
      if (f == kSortPeriod) {
        if (a.period != period) return false;
      } else if (route_->series[a.series].value_index[f] !=
                 route_->series[series].value_index[f]) {
        return false;
      }
    }
    return true;
  };
  ForEach(0, total_, [&](uint32_t series, int64_t period) {
    ValueRow row;
    if (!rows.empty()) {
      const ValueRow& last = rows.back();
      row.group = last.group + (same_group(last, series, period) ? 0 : 1);
    }
    row.rank = static_cast<uint32_t>(rows.size());
    row.series = series;
    row.period = static_cast<int32_t>(period);
    auto value = SeriesValue(route_->series[series], period, route_->daily,
                             seed_, null_rate_);
    if (!value) {
      row.key = value_descending_ ? INT64_MIN : INT64_MAX;
    } else {
      row.key = value_descending_ ? -*value : *value;
    }
    rows.push_back(row);
  });
  auto less = [](const ValueRow& a, const ValueRow& b) {
    if (a.group != b.group) return a.group < b.group;
    if (a.key != b.key) return a.key < b.key;
    return a.rank < b.rank;
  };
  auto first = rows.begin() + static_cast<std::ptrdiff_t>(offset);
  auto last = rows.begin() + static_cast<std::ptrdiff_t>(
                                 std::min<uint64_t>(total_, offset + count));
  std::nth_element(rows.begin(), first, rows.end(), less);
  std::partial_sort(first, last, rows.end(), less);
  return std::vector<ValueRow>(first, last);
}

uint64_t ResultSet::AppendRows(std::string& out, uint64_t offset,
                               uint64_t count) const {
  const RouteText& text = TextFor(route_);
  const bool daily = route_->daily;
  PeriodText periods(*route_, query_.local_time);
  uint64_t written = 0;
  auto write = [&](uint32_t series, int64_t period) {
    if (written++ > 0) out.push_back(',');
    out.append("{\"period\":\"");
    out.append(periods.For(series, period));
    out.append("\",");
    out.append(text.json[series]);
    if (query_.with_value) {
      auto value =
          SeriesValue(route_->series[series], period, daily, seed_, null_rate_);
      if (value) {
        out.append(",\"value\":\"");
        AppendInt(out, *value);
        out.append("\",\"value-units\":\"");
      } else {
        out.append(",\"value\":null,\"value-units\":\"");
      }
      out.append(kUnits);
      out.push_back('"');
    }
    out.push_back('}');
  };
  if (value_pos_ >= 0) {
    for (const ValueRow& row : ValueWindow(offset, count)) {
      write(row.series, row.period);
    }
  } else {
    ForEach(offset, count, write);
  }
  return written;
}

uint64_t ResultSet::Checksum() const {
  // The sum does not depend on row order, so a value sort is summed in
  // the base order without sorting.
  const RouteText& text = TextFor(route_);
  const bool daily = route_->daily;
  PeriodText periods(*route_, query_.local_time);
  uint64_t sum = 0;
  // One canonical row string, rebuilt in place for every row.
  std::string canonical;
  ForEach(0, total_, [&](uint32_t series, int64_t period) {
    canonical.assign("period=");
    canonical += periods.For(series, period);
    canonical += ';';
    canonical += text.canonical[series];
    if (query_.with_value) {
      auto value =
          SeriesValue(route_->series[series], period, daily, seed_, null_rate_);
      canonical += "value=";
      canonical += value ? std::to_string(*value) : std::string("null");
      canonical += ";value-units=megawatthours;";
    }
    sum += XXH3_64bits(canonical.data(), canonical.size());
  });
  return sum;
}

}  // namespace eiabench::mock
