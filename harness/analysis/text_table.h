// A small table model with the four renderings every analysis command
// offers: aligned text (optionally coloured), Markdown, CSV and JSON.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eiabench::analysis {

enum class OutputFormat { kText, kMarkdown, kCsv, kJson };

// Parses "text", "markdown", "csv" or "json"; empty when unknown.
std::optional<OutputFormat> ParseOutputFormat(std::string_view name);

// How a text cell is coloured on a terminal.
enum class Tone { kPlain, kGood, kBad, kMuted };

struct TextTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  // Optional per-cell tones, same shape as `rows` (missing = plain).
  std::vector<std::vector<Tone>> tones;

  void AddRow(std::vector<std::string> row, std::vector<Tone> row_tones = {});
};

// Columns padded to their widest cell; cells that look numeric are aligned
// right. ANSI colour codes are added only when `color` is true, after
// padding, so alignment never depends on them.
std::string RenderText(const TextTable& table, bool color);
// A GitHub-flavoured Markdown table; '|' inside cells is escaped.
std::string RenderMarkdown(const TextTable& table);
// RFC 4180: fields with a comma, quote or newline are quoted, quotes doubled;
// lines end with "\n".
std::string RenderCsv(const TextTable& table);
// An array of objects keyed by the header.
nlohmann::json RenderJsonRows(const TextTable& table);

// Number formatting shared by the tables: up to `digits` significant digits,
// no exponent for ordinary magnitudes, "-" for a missing value.
std::string FormatNumber(std::optional<double> value, int digits = 6);
// A signed percentage with one decimal ("+12.3%"), "-" when missing.
std::string FormatPercent(std::optional<double> fraction);

}  // namespace eiabench::analysis
