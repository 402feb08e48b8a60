#include "harness/client/raw_json.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "harness/client/extractor.h"

namespace eiabench {

bool RoundTripRawJson(const std::string& dir, uint64_t page_id,
                      uint32_t attempt, const std::string& api_key,
                      std::string* body, std::string* error) {
  nlohmann::ordered_json doc;
  try {
    doc["metadata"] = {
        {"page_id", page_id}, {"attempt", attempt}, {"bytes", body->size()}};
    doc["api_response"] = nlohmann::ordered_json::parse(*body);
  } catch (const nlohmann::json::exception&) {
    return true;  // not JSON: left for the parser to reject
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::string path = dir + "/page-" + std::to_string(page_id) + "-" +
                     std::to_string(attempt) + ".json";
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << Redact(doc.dump(2), api_key);
    if (!out) {
      *error = "cannot write raw JSON " + path + ": " + std::strerror(errno);
      return false;
    }
  }
  std::ifstream in(path, std::ios::binary);
  try {
    nlohmann::ordered_json back = nlohmann::ordered_json::parse(in);
    *body = back.at("api_response").dump();
  } catch (const nlohmann::json::exception& e) {
    *error = "cannot read back raw JSON " + path;
    return false;
  }
  return true;
}

}  // namespace eiabench
