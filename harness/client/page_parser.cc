#include "harness/client/page_parser.h"

#include <simdjson.h>

#include <charconv>
#include <cstring>
#include <deque>

#include "harness/client/canonical_row.h"

namespace eiabench {

namespace od = simdjson::ondemand;

struct PageParser::Impl {
  od::parser parser;
  CanonicalRow canonical;  // the row being hashed, rebuilt per row
  // Row keys seen so far, interned: field i of a row usually has the key
  // field i had in the row before, so comparing the raw key with it is
  // cheaper than unescaping every key. A deque never moves its strings, so
  // the views a PageRows holds stay valid until Parse() trims the cache.
  std::deque<std::string> keys;
  std::vector<const std::string*> key_at;  // by field position

  // Where the body holds a backslash, found by one memchr sweep before
  // parsing. Values are read in body order, so whether one holds an escape
  // is a cursor step, not a scan of its bytes.
  const char* body = nullptr;
  std::vector<size_t> backslashes;
  size_t next_backslash = 0;

  void FindBackslashes(std::string_view text) {
    body = text.data();
    backslashes.clear();
    next_backslash = 0;
    for (const void* p = std::memchr(text.data(), '\\', text.size());
         p != nullptr;) {
      size_t at = static_cast<const char*>(p) - text.data();
      backslashes.push_back(at);
      p = std::memchr(text.data() + at + 1, '\\', text.size() - at - 1);
    }
  }

  // Whether `s` (a view into the body, at or after every view asked
  // before) holds a backslash.
  bool HasEscape(std::string_view s) {
    size_t begin = s.data() - body, end = begin + s.size();
    while (next_backslash < backslashes.size() &&
           backslashes[next_backslash] < begin)
      ++next_backslash;
    return next_backslash < backslashes.size() &&
           backslashes[next_backslash] < end;
  }
};

PageParser::PageParser() : impl_(std::make_unique<Impl>()) {}
PageParser::~PageParser() = default;

namespace {

// EIA rows have fewer than 10 fields; a page with wildly varying keys only
// costs the cache, never correctness.
constexpr size_t kMaxInternedKeys = 256;

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

// An inline loop over a few bytes: EIA keys are short, and a call to
// memcmp per field cost more than the comparison itself.
bool SameBytes(const char* raw, std::string_view known) {
  for (size_t i = 0; i < known.size(); ++i)
    if (raw[i] != known[i]) return false;
  return true;
}

bool HasQuoteOrBackslash(std::string_view s) {
  return s.find_first_of("\"\\") != std::string_view::npos;
}

// The row's key at field `position`: the interned key when the raw JSON key
// is byte for byte the one seen at that position before (an unescaped
// string without quotes or backslashes equals its raw bytes), else the
// unescaped key, interned when it is plain.
std::string_view ReadKey(od::field& f, size_t position,
                         PageParser::Impl* impl) {
  if (position < impl->key_at.size() && impl->key_at[position]) {
    const std::string& known = *impl->key_at[position];
    // Bytes first: `known` holds no quote, so the comparison stops at the
    // raw key's closing quote at the latest and never reads past the key;
    // only a full match makes raw[known.size()] a byte of this string.
    // Keys are a few bytes, so an inline loop beats a call to memcmp.
    const char* raw = f.key().raw();
    if (SameBytes(raw, known) && raw[known.size()] == '"') return known;
  }
  std::string_view key = f.unescaped_key();
  if (HasQuoteOrBackslash(key)) return key;
  if (impl->key_at.size() <= position) impl->key_at.resize(position + 1);
  impl->key_at[position] = &impl->keys.emplace_back(key);
  return *impl->key_at[position];
}

// A string value: a view of the body itself when it holds no escape (most
// EIA values), else simdjson's unescaped copy. raw_json_token() does not
// consume the value, so get_string() is still possible after it.
std::string_view ReadString(od::value& value, PageParser::Impl* impl) {
  std::string_view token = value.raw_json_token();
  while (!token.empty() && token.back() != '"') token.remove_suffix(1);
  if (token.size() >= 2) {
    std::string_view content = token.substr(1, token.size() - 2);
    if (!impl->HasEscape(content)) {
      // Consume the value without copying it: an unconsumed value costs
      // the object iterator a skip.
      (void)value.get_raw_json_string();
      return content;
    }
  }
  return value.get_string();
}

// Each row's canonical string (the row checksum's input) is built while
// its fields are read, so a field is touched once; the bytes are those
// RowHash() would build from the stored views.
void ReadRows(od::value v, PageRows* rows, ParsedPage* page,
              PageParser::Impl* impl) {
  CanonicalRow& canonical = impl->canonical;
  for (od::value item : v.get_array()) {
    rows->BeginRow();
    canonical.Begin();
    size_t position = 0;
    for (od::field f : item.get_object()) {
      std::string_view key = ReadKey(f, position++, impl);
      od::value value = f.value();
      switch (value.type()) {
        case od::json_type::null:
          // is_null() consumes the token.
          (void)value.is_null();
          rows->AddFieldView(key, {}, true);
          canonical.Add(key, {}, true);
          break;
        case od::json_type::string: {
          std::string_view text = ReadString(value, impl);
          rows->AddFieldView(key, text, false);
          canonical.Add(key, text, false);
          break;
        }
        case od::json_type::number:
        case od::json_type::boolean: {
          std::string_view raw = value.raw_json_token();
          while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\n' ||
                                  raw.back() == '\r' || raw.back() == '\t'))
            raw.remove_suffix(1);
          rows->AddFieldView(key, raw, false);
          canonical.Add(key, raw, false);
          break;
        }
        default:
          throw std::runtime_error("row field '" + Printable(key, 64) +
                                   "' is not a scalar");
      }
    }
    uint64_t hash = canonical.Hash();
    rows->SetLastRowHash(hash);
    page->checksum += hash;
  }
}

void ReadResponse(od::value v, PageRows* rows, ParsedPage* page,
                  bool* has_total, bool* has_data, PageParser::Impl* impl) {
  for (od::field f : v.get_object()) {
    std::string_view key = f.unescaped_key();
    if (key == "total") {
      if (!ParseTotal(f.value(), &page->total))
        throw std::runtime_error("response.total is not a count");
      *has_total = true;
    } else if (key == "data") {
      ReadRows(f.value(), rows, page, impl);
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
  // Rows of the previous page may point at interned keys; they are gone
  // now, so a cache grown by a hostile page can be dropped here.
  if (impl_->keys.size() > kMaxInternedKeys) {
    impl_->keys.clear();
    impl_->key_at.clear();
  }
  if (body.capacity() < body.size() + simdjson::SIMDJSON_PADDING)
    body.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  bool has_response = false, has_total = false, has_data = false;
  impl_->FindBackslashes(body);
  try {
    od::document doc = impl_->parser.iterate(simdjson::padded_string_view(
        body.data(), body.size(), body.capacity()));
    for (od::field f : doc.get_object()) {
      std::string_view key = f.unescaped_key();
      if (key == "response") {
        has_response = true;
        ReadResponse(f.value(), rows, &page, &has_total, &has_data,
                     impl_.get());
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
