#include "harness/analysis/text_table.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace eiabench::analysis {
namespace {

bool LooksNumeric(const std::string& cell) {
  if (cell.empty()) return false;
  char* end = nullptr;
  std::strtod(cell.c_str(), &end);
  return end != cell.c_str() && (*end == '\0' || *end == '%');
}

std::string_view ToneCode(Tone tone) {
  switch (tone) {
    case Tone::kGood:
      return "\033[32m";
    case Tone::kBad:
      return "\033[31m";
    case Tone::kMuted:
      return "\033[2m";
    case Tone::kPlain:
      break;
  }
  return "";
}

Tone ToneAt(const TextTable& table, size_t row, size_t column) {
  if (row >= table.tones.size() || column >= table.tones[row].size()) {
    return Tone::kPlain;
  }
  return table.tones[row][column];
}

std::string Pad(const std::string& cell, size_t width, bool right) {
  std::string padding(width > cell.size() ? width - cell.size() : 0, ' ');
  return right ? padding + cell : cell + padding;
}

std::string CsvField(const std::string& field) {
  if (field.find_first_of(",\"\n\r") == std::string::npos) return field;
  std::string quoted = "\"";
  for (char c : field) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string MarkdownCell(const std::string& cell) {
  std::string out;
  for (char c : cell) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

std::optional<OutputFormat> ParseOutputFormat(std::string_view name) {
  if (name == "text") return OutputFormat::kText;
  if (name == "markdown" || name == "md") return OutputFormat::kMarkdown;
  if (name == "csv") return OutputFormat::kCsv;
  if (name == "json") return OutputFormat::kJson;
  return std::nullopt;
}

void TextTable::AddRow(std::vector<std::string> row,
                       std::vector<Tone> row_tones) {
  rows.push_back(std::move(row));
  tones.push_back(std::move(row_tones));
}

std::string RenderText(const TextTable& table, bool color) {
  std::vector<size_t> widths(table.header.size(), 0);
  for (size_t c = 0; c < table.header.size(); ++c) {
    widths[c] = table.header[c].size();
    for (const auto& row : table.rows) {
      if (c < row.size()) widths[c] = std::max(widths[c], row[c].size());
    }
  }
  std::string out;
  auto emit_line = [&](const std::vector<std::string>& cells, size_t row,
                       bool is_header) {
    std::string line;
    for (size_t c = 0; c < widths.size(); ++c) {
      std::string cell = c < cells.size() ? cells[c] : "";
      bool right = !is_header && LooksNumeric(cell);
      std::string padded = Pad(cell, widths[c], right);
      Tone tone = is_header ? Tone::kPlain : ToneAt(table, row, c);
      if (color && tone != Tone::kPlain) {
        padded = fmt::format("{}{}\033[0m", ToneCode(tone), padded);
      }
      line += (c == 0 ? "" : "  ") + padded;
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  };
  emit_line(table.header, 0, true);
  std::string rule;
  for (size_t c = 0; c < widths.size(); ++c) {
    rule += (c == 0 ? "" : "  ") + std::string(widths[c], '-');
  }
  out += rule + "\n";
  for (size_t r = 0; r < table.rows.size(); ++r) {
    emit_line(table.rows[r], r, false);
  }
  return out;
}

std::string RenderMarkdown(const TextTable& table) {
  auto line = [](const std::vector<std::string>& cells) {
    std::string out = "|";
    for (const auto& cell : cells) out += " " + MarkdownCell(cell) + " |";
    return out + "\n";
  };
  std::string out = line(table.header);
  out += "|";
  for (const auto& name : table.header) {
    (void)name;
    out += "---|";
  }
  out += "\n";
  for (const auto& row : table.rows) out += line(row);
  return out;
}

std::string RenderCsv(const TextTable& table) {
  auto line = [](const std::vector<std::string>& cells) {
    std::string out;
    for (size_t c = 0; c < cells.size(); ++c) {
      out += (c == 0 ? "" : ",") + CsvField(cells[c]);
    }
    return out + "\n";
  };
  std::string out = line(table.header);
  for (const auto& row : table.rows) out += line(row);
  return out;
}

nlohmann::json RenderJsonRows(const TextTable& table) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& row : table.rows) {
    nlohmann::json object = nlohmann::json::object();
    for (size_t c = 0; c < table.header.size() && c < row.size(); ++c) {
      object[table.header[c]] = row[c];
    }
    rows.push_back(std::move(object));
  }
  return rows;
}

std::string FormatNumber(std::optional<double> value, int digits) {
  if (!value) return "-";
  double v = *value;
  if (!std::isfinite(v)) return fmt::format("{}", v);
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    return fmt::format("{:.0f}", v);
  }
  // Large values keep one decimal instead of switching to an exponent.
  if (std::fabs(v) >= 1e4) return fmt::format("{:.1f}", v);
  return fmt::format("{:.{}g}", v, digits);
}

std::string FormatPercent(std::optional<double> fraction) {
  if (!fraction) return "-";
  return fmt::format("{:+.1f}%", *fraction * 100);
}

}  // namespace eiabench::analysis
