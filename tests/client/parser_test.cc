#include <xxhash.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "harness/client/canonical_row.h"
#include "harness/client/extractor.h"
#include "harness/client/page_parser.h"

using namespace eiabench;

namespace {
std::string Envelope(const std::string& data, const std::string& total) {
  return "{\"response\":{\"total\":" + total + ",\"data\":[" + data +
         "]},\"apiVersion\":\"2.1.8\"}";
}
}  // namespace

TEST_CASE("the contract's example row hashes as documented", "[client]") {
  std::string body = Envelope(
      R"({"period":"2024-01-01T00","respondent":"PACW","respondent-name":"PacifiCorp West","fueltype":"NG","type-name":"Natural Gas","value":"512","value-units":"megawatthours"})",
      "\"1\"");
  PageRows rows;
  PageParser parser;
  ParsedPage page = parser.Parse(body, &rows);
  REQUIRE(page.ok);
  REQUIRE(rows.size() == 1);
  // XXH3-64 of the canonical string, computed independently with Python's
  // xxhash module (xxh3_64_hexdigest) and with the C library here.
  std::string canon =
      "period=2024-01-01T00;respondent=PACW;respondent-name=PacifiCorp "
      "West;fueltype=NG;type-name=Natural Gas;value=512;value-units="
      "megawatthours;";
  uint64_t h = XXH3_64bits(canon.data(), canon.size());
  CHECK(h == 0x5366a962b08729f0ULL);
  CHECK(RowHash(rows, 0) == h);
  CHECK(page.checksum == h);
  CHECK(ChecksumHex(h).size() == 16);
}

TEST_CASE("nulls, escapes and numeric totals parse", "[client]") {
  std::string body = Envelope(
      R"({"period":"2024-01-01T00","name":"A \"q\" \u00e9\/x","value":null},{"period":"2024-01-01T01","name":"b","value":42})",
      "2");
  PageRows rows;
  PageParser parser;
  ParsedPage page = parser.Parse(body, &rows);
  REQUIRE(page.ok);
  CHECK(page.total == 2);
  REQUIRE(rows.size() == 2);
  CHECK(rows.Field(0, 1).value == "A \"q\" \xc3\xa9/x");
  CHECK(rows.Field(0, 2).is_null);
  CHECK(rows.Field(1, 2).value == "42");
}

TEST_CASE("keys that change between rows and escaped keys parse exactly",
          "[client]") {
  // Row 1 interns a long key at position 1; row 2 has a short key there at
  // the very end of the body; row 3 spells "period" with an escape.
  std::string long_key(100, 'k');
  std::string body =
      Envelope(R"({"period":"a",")" + long_key + R"(":"v\"q","value":"1"},)" +
                   R"({"period":"b","k":"x\/y","value":null},)" +
                   R"({"per\u0069od":"c","k":"z","value":"3"},)" +
                   R"({"period":"d","k":"w"})",
               "4");
  PageRows rows;
  PageParser parser;
  for (int pass = 0; pass < 2; ++pass) {  // the key cache is reused
    std::string copy = body;
    ParsedPage page = parser.Parse(copy, &rows);
    INFO(page.error);
    REQUIRE(page.ok);
    REQUIRE(rows.size() == 4);
    CHECK(rows.Field(0, 1).key == long_key);
    CHECK(rows.Field(0, 1).value == "v\"q");
    CHECK(rows.Field(1, 1).key == "k");
    CHECK(rows.Field(1, 1).value == "x/y");
    CHECK(rows.Field(1, 2).is_null);
    CHECK(rows.Field(2, 0).key == "period");
    CHECK(rows.Field(2, 0).value == "c");
    CHECK(rows.FieldCount(3) == 2);
    // The stored hashes are the contract's, recomputed from owned copies.
    uint64_t sum = 0;
    for (size_t r = 0; r < rows.size(); ++r) {
      PageRows one;
      one.BeginRow();
      for (size_t i = 0; i < rows.FieldCount(r); ++i) {
        FieldView f = rows.Field(r, i);
        one.AddField(f.key, f.value, f.is_null);
      }
      CHECK(rows.Hash(r) == RowHash(one, 0));
      sum += RowHash(one, 0);
    }
    CHECK(page.checksum == sum);
  }
}

TEST_CASE("a recorded truncated EIA page reads total and top-level warnings",
          "[client]") {
  // A real recorded response (key redacted), copied from the brief's
  // shared/fixtures/eia-recorded/ so that the test runs on any clone.
  std::ifstream in(std::string(EIABENCH_SOURCE_DIR) +
                   "/tests/client/fixtures/"
                   "ring-attention-energy__fuel-type-data_PACW_truncated_"
                   "2.1.8.json");
  REQUIRE(in);
  std::string body = nlohmann::json::parse(in).at("api_response").dump();
  PageRows rows;
  PageParser parser;
  ParsedPage page = parser.Parse(body, &rows);
  REQUIRE(page.ok);
  CHECK(page.total == 5285);
  CHECK(rows.size() == 5000);
  CHECK(page.incomplete_return);
}

TEST_CASE("warnings inside response are read too", "[client]") {
  std::string body =
      R"({"response":{"warnings":[{"warning":"parameter out of range","description":"length"}],"total":"0","data":[]}})";
  PageRows rows;
  PageParser parser;
  ParsedPage page = parser.Parse(body, &rows);
  REQUIRE(page.ok);
  CHECK(page.length_out_of_range);
  CHECK(page.warnings.size() == 1);
}

TEST_CASE("malformed and incomplete bodies are rejected", "[client]") {
  PageRows rows;
  PageParser parser;
  for (std::string body :
       {std::string("{\"response\":{\"total\":\"5\",\"data\":[{\"a\":\"b\"}"),
        std::string("not json"), std::string(""),
        std::string("{\"response\":{\"data\":[]}}"),
        std::string("{\"response\":{\"total\":\"x\",\"data\":[]}}"),
        std::string("{\"error\":\"Not found.\",\"code\":404}"),
        std::string(
            "{\"response\":{\"total\":\"1\",\"data\":[{\"a\":[1]}]}}")}) {
    ParsedPage page = parser.Parse(body, &rows);
    CHECK_FALSE(page.ok);
    CHECK_FALSE(page.error.empty());
  }
}

TEST_CASE("API error bodies become one line naming the cause", "[client]") {
  CHECK(
      ApiErrorMessage(
          R"({"error":{"code":"API_KEY_INVALID","message":"An invalid api_key was supplied."}})") ==
      "API_KEY_INVALID: An invalid api_key was supplied.");
  CHECK(ApiErrorMessage(
            R"({"error":"Invalid facet 'x' provided.","code":400})") ==
        "Invalid facet 'x' provided.");
  CHECK(ApiErrorMessage("oops\nline") == "oops line");
}

TEST_CASE("redaction removes the key and any api_key value", "[client]") {
  std::string key = "abcdef0123456789abcdef0123456789abcdef01";
  std::string text = "GET /v2/x/data/?api_key=" + key + "&length=5 and " + key;
  std::string r = Redact(text, key);
  CHECK(r.find(key) == std::string::npos);
  CHECK(r.find("api_key=REDACTED&length=5") != std::string::npos);
  CHECK(Redact("?api_key=other", "") == "?api_key=REDACTED");
}

TEST_CASE("a hostile row key cannot break the one-line error", "[client]") {
  // Found by fuzz_response_parser: an escaped newline inside a key used to
  // reach the error text verbatim.
  std::string body = Envelope(R"({"a\nb":{"nested":1}})", "\"1\"");
  PageRows rows;
  PageParser parser;
  ParsedPage page = parser.Parse(body, &rows);
  REQUIRE_FALSE(page.ok);
  CHECK(page.error.find('\n') == std::string::npos);
  CHECK(page.error.find("a?b") != std::string::npos);
}

TEST_CASE("the hash built while parsing equals RowHash of the kept rows",
          "[client]") {
  // Each row's canonical string is built as its fields are read; RowHash()
  // rebuilds it from the stored views. Odd pages must agree too.
  std::vector<std::string> bodies = {
      Envelope(R"({"period":"2024-01-01T00","value":"1"})", "\"1\""),
      Envelope(R"({"period":"2024-01-01T00","value":1.50})", "\"1\""),
      Envelope(R"({"period":"a","value":"1"},{"period":"b","value":true})",
               "2"),
      Envelope(R"({"period":"a","value":null},{"p\u0065riod":"b\"c"})",
               "\"2\""),
      Envelope(R"({"a-very-long-key-name-past-sixteen":"and a long value )"
               R"(past sixteen bytes","k":""})",
               "\"1\""),
  };
  std::string dir =
      std::string(EIABENCH_SOURCE_DIR) + "/fuzz/corpus/response_parser/";
  for (const char* name :
       {"recorded-nami-0.json", "recorded-myeia-3.json",
        "recorded-ring-attention-energy-1.json", "hand-escapes.json",
        "hand-numeric-value.json", "hand-null-value.json"}) {
    std::ifstream in(dir + name);
    REQUIRE(in);
    bodies.emplace_back(std::istreambuf_iterator<char>(in),
                        std::istreambuf_iterator<char>());
  }
  PageParser parser;
  size_t parsed = 0;
  for (std::string body : bodies) {
    INFO(body.substr(0, 200));
    PageRows rows;
    ParsedPage page = parser.Parse(body, &rows);
    if (!page.ok) continue;  // some corpus files wrap the page in metadata
    ++parsed;
    uint64_t sum = 0;
    for (size_t r = 0; r < rows.size(); ++r) {
      CHECK(rows.Hash(r) == RowHash(rows, r));
      sum += RowHash(rows, r);
    }
    CHECK(page.checksum == sum);
  }
  CHECK(parsed >= 8);
}

TEST_CASE("a number in a row keeps its text in the row and its hash",
          "[client]") {
  std::string body =
      Envelope(R"({"period":"2024-01-01T00","value":1.50})", "\"1\"");
  PageRows rows;
  PageParser parser;
  ParsedPage page = parser.Parse(body, &rows);
  REQUIRE(page.ok);
  REQUIRE(rows.size() == 1);
  CHECK(rows.Field(0, 1).value == "1.50");
  std::string canon = "period=2024-01-01T00;value=1.50;";
  CHECK(page.checksum == XXH3_64bits(canon.data(), canon.size()));
}

TEST_CASE("short copies and comparisons match memcpy and memcmp", "[client]") {
  std::string src(64, '\0');
  for (size_t i = 0; i < src.size(); ++i)
    src[i] = static_cast<char>('a' + i % 26);
  for (size_t n = 0; n <= 40; ++n) {
    INFO("n = " << n);
    std::string out(n + 8, '#');
    char* end = CopyShort(out.data(), src.data() + 3, n);
    CHECK(end == out.data() + n);
    CHECK(out.compare(0, n, src, 3, n) == 0);
    CHECK(out.substr(n) == std::string(8, '#'));  // nothing written past n
    std::string a = src.substr(5, n), b = a;
    CHECK(EqualShort(a, b));
    for (size_t at = 0; at < n; ++at) {
      b = a;
      b[at] = '!';
      CHECK_FALSE(EqualShort(a, b));
    }
    if (n > 0) CHECK_FALSE(EqualShort(a, a.substr(0, n - 1)));
  }
}
