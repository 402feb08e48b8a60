// The rows a validated query selects, without materialising them.
//
// Rows are (series, period) pairs. The order is the query's sort keys
// completed by period and every facet ascending, so it is total and offset
// paging never skips or repeats a row. Keys before `period` in the sort list
// split the series into groups; inside a group rows go period by period and,
// within a period, series by the keys after `period`. Each group's periods
// are cut into segments where the set of live series is constant, so
// counting the total or finding the row at an offset costs O(series), not
// O(rows).
//
// Values come from a hash of (seed, series, period): the same query returns
// the same rows in every process.
//
// A value sort key is the one exception to "never materialise": the rows are
// first ordered by the query's other keys (the base order above), then every
// row's (series, period, value) is collected and the page's window is picked
// with a partial sort by (the keys before value, value, base order). Ties on
// value thus keep the base order and paging stays stable. Nulls count as
// larger than every number: last when ascending, first when descending (the
// default of SQL databases). That costs 24 bytes and one value per row of
// the whole result, so a value sort is refused past kMaxValueSortRows.
//
// Local-hourly queries select and order exactly the rows of the hourly
// query (by UTC instant); only the period text differs.
//
// Thread safety: immutable after construction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mock_server/query.h"

namespace eiabench::mock {

// The checksum contract shared with the client (see eia_model.h): XXH3-64
// over the row's canonical string "key=value;" for every field in the order
// the response writes them, with "null" for a JSON null.
uint64_t RowHash(
    const std::vector<std::pair<std::string, std::optional<std::string>>>&
        fields);

// The value of one series at one period; nullopt for a null.
std::optional<int64_t> SeriesValue(const Series& series, int64_t period,
                                   bool daily, uint64_t seed, double null_rate);

// The most rows a value-sorted result may have (see above).
inline constexpr uint64_t kMaxValueSortRows = 1'000'000;

class ResultSet {
 public:
  ResultSet(const DataQuery& query, uint64_t seed, double null_rate);

  // Rows in the whole result, ignoring offset and length.
  uint64_t total() const { return total_; }

  // True when the query sorts by value and the result has more than
  // kMaxValueSortRows rows: the API answers 400 (ValueSortError()) instead
  // of a page.
  bool value_sort_too_large() const {
    return value_pos_ >= 0 && total_ > kMaxValueSortRows;
  }
  std::string ValueSortError() const;

  // Appends rows [offset, offset + count) as JSON objects separated by
  // commas (no brackets) in the API's field order and escaping. Returns the
  // number of rows written. With a value sort this collects the whole
  // result first; callers check value_sort_too_large() before.
  uint64_t AppendRows(std::string& out, uint64_t offset, uint64_t count) const;

  // Wrapping sum of RowHash over every row of the result.
  uint64_t Checksum() const;

 private:
  struct Segment {
    int64_t first = 0, last = 0;   // inclusive periods
    std::vector<uint32_t> active;  // series, in within-period order
    uint64_t rows() const {
      return static_cast<uint64_t>(last - first + 1) * active.size();
    }
  };
  struct Group {
    std::vector<Segment> segments;  // in period order of the query
    uint64_t rows = 0;
  };

  // One row of a value sort: its sort key and where to find it again.
  struct ValueRow {
    int64_t key = 0;     // value (negated when descending), nulls largest
    uint32_t group = 0;  // run of equal keys before the value key
    uint32_t rank = 0;   // position in the base order
    uint32_t series = 0;
    int32_t period = 0;
  };

  // Calls visit(series_index, period) for rows [offset, offset + count) of
  // the base order (the query's keys without any value key).
  template <typename Visit>
  void ForEach(uint64_t offset, uint64_t count, Visit&& visit) const;

  // Rows [offset, offset + count) of a value-sorted result, in order.
  std::vector<ValueRow> ValueWindow(uint64_t offset, uint64_t count) const;

  void BuildGroups(std::vector<uint32_t> series);
  Group BuildGroup(const std::vector<uint32_t>& members) const;

  DataQuery query_;
  const Route* route_;
  uint64_t seed_;
  double null_rate_;
  bool period_descending_ = false;
  int value_pos_ = -1;  // index of the value key in the query's sort, or -1
  bool value_descending_ = false;
  std::vector<Group> groups_;
  uint64_t total_ = 0;
};

}  // namespace eiabench::mock
