#include "mock_server/json_text.h"

#include <cstdio>

namespace eiabench::mock {
namespace {

void AppendU16(std::string& out, unsigned unit) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "\\u%04x", unit & 0xffff);
  out.append(buf);
}

// Decodes one UTF-8 sequence starting at text[i]; returns the code point and
// advances i. Invalid bytes come back as U+FFFD, one byte at a time.
unsigned DecodeUtf8(std::string_view text, size_t& i) {
  unsigned char c = static_cast<unsigned char>(text[i]);
  int extra = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : -1;
  if (extra < 0 || i + static_cast<size_t>(extra) >= text.size()) {
    ++i;
    return 0xfffd;
  }
  unsigned cp = c & (0x3f >> extra);
  for (int k = 1; k <= extra; ++k) {
    unsigned char cc = static_cast<unsigned char>(text[i + k]);
    if ((cc & 0xc0) != 0x80) {
      ++i;
      return 0xfffd;
    }
    cp = (cp << 6) | (cc & 0x3f);
  }
  i += extra + 1;
  return cp;
}

}  // namespace

void AppendEscaped(std::string& out, std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      unsigned cp = DecodeUtf8(text, i);
      if (cp >= 0x10000) {
        cp -= 0x10000;
        AppendU16(out, 0xd800 + (cp >> 10));
        AppendU16(out, 0xdc00 + (cp & 0x3ff));
      } else {
        AppendU16(out, cp);
      }
      continue;
    }
    ++i;
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '/':
        out.append("\\/");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      default:
        if (c < 0x20) {
          AppendU16(out, c);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
}

std::string PhpDump(const nlohmann::ordered_json& value) {
  std::string out;
  switch (value.type()) {
    case nlohmann::ordered_json::value_t::object: {
      // PHP writes an empty array (what an emptied params map is) as [].
      if (value.empty()) return "[]";
      out.push_back('{');
      bool first = true;
      for (const auto& [key, item] : value.items()) {
        if (!first) out.push_back(',');
        first = false;
        AppendQuoted(out, key);
        out.push_back(':');
        out.append(PhpDump(item));
      }
      out.push_back('}');
      return out;
    }
    case nlohmann::ordered_json::value_t::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& item : value) {
        if (!first) out.push_back(',');
        first = false;
        out.append(PhpDump(item));
      }
      out.push_back(']');
      return out;
    }
    case nlohmann::ordered_json::value_t::string:
      AppendQuoted(out, value.get_ref<const std::string&>());
      return out;
    default:
      return value.dump();
  }
}

}  // namespace eiabench::mock
