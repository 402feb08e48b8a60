#include "harness/client/period.h"

#include <charconv>
#include <cstdio>

namespace eiabench {

// The usual era-based conversion: 400-year eras of 146097 days, with the
// year starting in March so that the leap day falls at the end.
int64_t DaysFromCivil(int year, int month, int day) {
  int64_t y = year - (month <= 2 ? 1 : 0);
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t year_of_era = y - era * 400;
  int64_t shifted_month = month > 2 ? month - 3 : month + 9;
  int64_t day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
  int64_t day_of_era =
      year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

void CivilFromDays(int64_t days, int* year, int* month, int* day) {
  days += 719468;
  int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  int64_t day_of_era = days - era * 146097;
  int64_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 -
                         day_of_era / 146096) /
                        365;
  int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  int64_t shifted_month = (5 * day_of_year + 2) / 153;
  *day = static_cast<int>(day_of_year - (153 * shifted_month + 2) / 5 + 1);
  *month = static_cast<int>(shifted_month < 10 ? shifted_month + 3
                                               : shifted_month - 9);
  *year = static_cast<int>(year_of_era + era * 400 + (*month <= 2 ? 1 : 0));
}

namespace {

bool ParseInt(std::string_view s, int* out) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
  return r.ec == std::errc();
}

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

}  // namespace

std::optional<int64_t> ParseDay(std::string_view t) {
  int y, m, d;
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
  if (!ParseInt(t.substr(0, 4), &y) || !ParseInt(t.substr(5, 2), &m) ||
      !ParseInt(t.substr(8, 2), &d))
    return std::nullopt;
  if (m < 1 || m > 12 || d < 1 || d > DaysInMonth(y, m)) return std::nullopt;
  return DaysFromCivil(y, m, d);
}

std::optional<int64_t> ParseHour(std::string_view t, bool is_end) {
  auto day = ParseDay(t.substr(0, 10));
  if (!day) return std::nullopt;
  if (t.size() == 10) return *day * 24 + (is_end ? 23 : 0);
  int h;
  if (t.size() != 13 || t[10] != 'T' || !ParseInt(t.substr(11, 2), &h) ||
      h > 23)
    return std::nullopt;
  return *day * 24 + h;
}

std::string FormatDay(int64_t days) {
  int y, m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  return buf;
}

std::string FormatHour(int64_t hours) {
  int64_t day = hours >= 0 ? hours / 24 : (hours - 23) / 24;
  char buf[8];
  std::snprintf(buf, sizeof buf, "T%02d", static_cast<int>(hours - day * 24));
  return FormatDay(day) + buf;
}

}  // namespace eiabench
