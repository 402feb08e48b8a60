// Helpers shared by the mock's tests: building requests, reading bodies,
// recomputing the row checksum from parsed rows the way a client would.
#pragma once

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "mock_server/eia_model.h"
#include "mock_server/result_set.h"

namespace eiabench::mock::testing {

using OJson = nlohmann::ordered_json;

inline MockRequest Get(const std::string& path, const std::string& query) {
  MockRequest r;
  r.method = "GET";
  r.path = path;
  r.query = query;
  return r;
}

inline constexpr const char* kFuelData =
    "/v2/electricity/rto/fuel-type-data/data/";
inline constexpr const char* kRegionData =
    "/v2/electricity/rto/region-data/data/";

// The seed's query string (recorded fixture), with a key.
inline std::string SeedQuery(const std::string& start, const std::string& end) {
  return "frequency=hourly&data[0]=value&facets[respondent][]=PACW&start=" +
         start + "&end=" + end +
         "&sort[0][column]=period&sort[0][direction]=asc&length=5000&api_key="
         "TESTKEY";
}

inline OJson Parse(const std::string& body) { return OJson::parse(body); }

// Sum of FNV-1a row hashes over the rows of a parsed page.
inline uint64_t PageChecksum(const OJson& page) {
  uint64_t sum = 0;
  for (const auto& row : page["response"]["data"]) {
    std::vector<std::pair<std::string, std::optional<std::string>>> fields;
    for (const auto& [key, value] : row.items()) {
      if (value.is_null()) {
        fields.emplace_back(key, std::nullopt);
      } else {
        fields.emplace_back(key, value.get<std::string>());
      }
    }
    sum += RowHash(fields);
  }
  return sum;
}

inline std::string Hex(uint64_t v) {
  char buf[20];
  std::snprintf(buf, sizeof(buf), "%016llx",
                static_cast<unsigned long long>(v));
  return buf;
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The keys of an object, in order.
inline std::vector<std::string> Keys(const OJson& object) {
  std::vector<std::string> keys;
  for (const auto& [key, value] : object.items()) keys.push_back(key);
  return keys;
}

}  // namespace eiabench::mock::testing
