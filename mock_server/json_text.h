// Writing JSON text the way the EIA API (PHP json_encode) writes it: slashes
// escaped as "\/", non-ASCII as \uXXXX, no spaces. Small helpers used on the
// hot path instead of a JSON DOM.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace eiabench::mock {

// Appends `text` as the body of a JSON string (without the quotes), escaped
// as PHP's json_encode does by default.
void AppendEscaped(std::string& out, std::string_view text);

// Appends `"text"` (quoted, escaped).
inline void AppendQuoted(std::string& out, std::string_view text) {
  out.push_back('"');
  AppendEscaped(out, text);
  out.push_back('"');
}

// Serialises a small JSON value compactly with PHP's escaping rules.
std::string PhpDump(const nlohmann::ordered_json& value);

}  // namespace eiabench::mock
