// Paths of the hand-made result files in tests/analysis/data (written by
// make_fixtures.py there) and a loader that fails the test on error.
#pragma once

#include <catch2/catch.hpp>
#include <string>

#include "harness/analysis/result_file.h"

namespace eiabench::analysis::testing {

inline std::string DataPath(const std::string& name) {
  return std::string(EIABENCH_SOURCE_DIR) + "/tests/analysis/data/" + name;
}

inline ResultFile LoadData(const std::string& name) {
  LoadedResult loaded = LoadResultFile(DataPath(name));
  INFO(loaded.error);
  REQUIRE(loaded.file.has_value());
  return *loaded.file;
}

// Splits text into lines without their "\n".
inline std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

}  // namespace eiabench::analysis::testing
