#include "harness/client/page_parser.h"

#include <simdjson.h>

#include <charconv>

namespace eiabench {

namespace od = simdjson::ondemand;

struct PageParser::Impl {
  od::parser parser;
};

PageParser::PageParser() : impl_(std::make_unique<Impl>()) {}
PageParser::~PageParser() = default;

namespace {

// A server's text as it may appear in a one-line error: control characters
// (a hostile key could hold an escaped newline and forge log lines) become
// '?', and the text is cut at `max_size` bytes.
std::string Printable(std::string_view text, size_t max_size) {
  std::string out;
  for (char c : text.substr(0, max_size))
    out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
  if (text.size() > max_size) out += "...";
  return out;
}

bool ParseTotal(od::value v, uint64_t* out) {
  if (v.type() == od::json_type::number) {
    *out = v.get_uint64();
    return true;
  }
  std::string_view s = v.get_string();
  auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

void ReadWarnings(od::value v, ParsedPage* page) {
  for (od::value item : v.get_array()) {
    std::string warning, description;
    for (od::field f : item.get_object()) {
      std::string_view key = f.unescaped_key();
      if (key == "warning") {
        warning = std::string(std::string_view(f.value().get_string()));
      } else if (key == "description") {
        description = std::string(std::string_view(f.value().get_string()));
      }
    }
    if (warning == "incomplete return") page->incomplete_return = true;
    if (warning.rfind("parameter out of range", 0) == 0)
      page->length_out_of_range = true;
    page->warnings.push_back(warning + ": " + description);
  }
}

void ReadRows(od::value v, PageRows* rows, ParsedPage* page) {
  for (od::value item : v.get_array()) {
    rows->BeginRow();
    for (od::field f : item.get_object()) {
      std::string_view key = f.unescaped_key();
      od::value value = f.value();
      switch (value.type()) {
        case od::json_type::null:
          // is_null() consumes the token.
          (void)value.is_null();
          rows->AddFieldView(key, {}, true);
          break;
        case od::json_type::string:
          rows->AddFieldView(key, value.get_string(), false);
          break;
        case od::json_type::number:
        case od::json_type::boolean: {
          std::string_view raw = value.raw_json_token();
          while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\n' ||
                                  raw.back() == '\r' || raw.back() == '\t'))
            raw.remove_suffix(1);
          rows->AddFieldView(key, raw, false);
          break;
        }
        default:
          throw std::runtime_error("row field '" + Printable(key, 64) +
                                   "' is not a scalar");
      }
    }
    page->checksum += RowHash(*rows, rows->size() - 1);
  }
}

void ReadResponse(od::value v, PageRows* rows, ParsedPage* page,
                  bool* has_total, bool* has_data) {
  for (od::field f : v.get_object()) {
    std::string_view key = f.unescaped_key();
    if (key == "total") {
      if (!ParseTotal(f.value(), &page->total))
        throw std::runtime_error("response.total is not a count");
      *has_total = true;
    } else if (key == "data") {
      ReadRows(f.value(), rows, page);
      *has_data = true;
    } else if (key == "warnings") {
      ReadWarnings(f.value(), page);
    }
  }
}

}  // namespace

ParsedPage PageParser::Parse(std::string& body, PageRows* rows) {
  ParsedPage page;
  rows->Clear();
  if (body.capacity() < body.size() + simdjson::SIMDJSON_PADDING)
    body.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  bool has_response = false, has_total = false, has_data = false;
  try {
    od::document doc = impl_->parser.iterate(simdjson::padded_string_view(
        body.data(), body.size(), body.capacity()));
    for (od::field f : doc.get_object()) {
      std::string_view key = f.unescaped_key();
      if (key == "response") {
        has_response = true;
        ReadResponse(f.value(), rows, &page, &has_total, &has_data);
      } else if (key == "warnings") {
        ReadWarnings(f.value(), &page);
      }
    }
  } catch (const simdjson::simdjson_error& e) {
    page.error = std::string("malformed JSON: ") + e.what();
    return page;
  } catch (const std::runtime_error& e) {
    page.error = e.what();
    return page;
  }
  if (!has_response)
    page.error = "no 'response' object";
  else if (!has_total)
    page.error = "no response.total";
  else if (!has_data)
    page.error = "no response.data";
  page.ok = page.error.empty();
  return page;
}

std::string ApiErrorMessage(const std::string& body) {
  std::string message;
  try {
    simdjson::padded_string padded(body);
    od::parser parser;
    od::document doc = parser.iterate(padded);
    std::string code;
    for (od::field f : doc.get_object()) {
      std::string_view key = f.unescaped_key();
      od::value v = f.value();
      if (key == "error" && v.type() == od::json_type::string) {
        message = std::string(std::string_view(v.get_string()));
      } else if (key == "error" && v.type() == od::json_type::object) {
        for (od::field g : v.get_object()) {
          std::string_view k = g.unescaped_key();
          if (k == "code")
            code = std::string(std::string_view(g.value().get_string()));
          if (k == "message")
            message = std::string(std::string_view(g.value().get_string()));
        }
        if (!code.empty()) message = code + ": " + message;
      }
    }
  } catch (const simdjson::simdjson_error&) {
    message.clear();
  }
  if (message.empty()) message = body.substr(0, 200);
  for (char& c : message) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return message;
}

}  // namespace eiabench
