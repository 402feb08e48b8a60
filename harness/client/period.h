// Period arithmetic: UTC hours and days since 1970-01-01, and the EIA date
// formats ("YYYY-MM-DDTHH" for hourly, "YYYY-MM-DD" for daily).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace eiabench {

// Days since 1970-01-01 of a proleptic Gregorian date.
int64_t DaysFromCivil(int year, int month, int day);
// Inverse of DaysFromCivil.
void CivilFromDays(int64_t days, int* year, int* month, int* day);

// "YYYY-MM-DD" -> days since epoch; nullopt when malformed or invalid.
std::optional<int64_t> ParseDay(std::string_view text);
// "YYYY-MM-DDTHH" -> hours since epoch. A bare date is hour 00, or hour 23
// when `is_end` (an inclusive end date means the whole day).
std::optional<int64_t> ParseHour(std::string_view text, bool is_end);

std::string FormatDay(int64_t days);
std::string FormatHour(int64_t hours);

}  // namespace eiabench
