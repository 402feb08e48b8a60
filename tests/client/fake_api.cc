#include "tests/client/fake_api.h"

#include <xxhash.h>

#include <cstdio>
#include <cstdlib>

#include "harness/client/period.h"

namespace eiabench::testing {
namespace {

const char* kFuels[] = {"NG", "OTH", "SUN", "WAT", "WND", "COL", "NUC"};

std::string Param(const std::string& url, const std::string& name) {
  std::string key = "&" + name + "=";
  size_t p = url.find(key);
  if (p == std::string::npos) {
    key = "?" + name + "=";
    p = url.find(key);
  }
  if (p == std::string::npos) return "";
  size_t b = p + key.size();
  size_t e = url.find('&', b);
  return url.substr(b, e == std::string::npos ? std::string::npos : e - b);
}

uint64_t Hash(const std::string& s) { return XXH3_64bits(s.data(), s.size()); }

}  // namespace

std::string FakeApi::RowJson(int64_t hour, int s) const {
  long value = static_cast<long>((hour * 7919 + s * 104729) % 3000);
  return std::string("{\"period\":\"") + FormatHour(hour) +
         "\",\"respondent\":\"PACW\",\"respondent-name\":\"PacifiCorp "
         "West\",\"fueltype\":\"" +
         kFuels[s] + "\",\"type-name\":\"Fuel \\\"" + kFuels[s] +
         "\\\"\",\"value\":" +
         (value % 97 == 0 ? std::string("null")
                          : "\"" + std::to_string(value) + "\"") +
         ",\"value-units\":\"megawatthours\"}";
}

FakeApi::Truth FakeApi::TruthFor(int64_t first, int64_t last) const {
  Truth t;
  for (int64_t h = first; h <= last; ++h) {
    for (int s = 0; s < series_; ++s) {
      long value = static_cast<long>((h * 7919 + s * 104729) % 3000);
      std::string canon =
          "period=" + FormatHour(h) +
          ";respondent=PACW;respondent-name=PacifiCorp "
          "West;fueltype=" +
          kFuels[s] + ";type-name=Fuel \"" + kFuels[s] +
          "\";value=" + (value % 97 == 0 ? "null" : std::to_string(value)) +
          ";value-units=megawatthours;";
      t.checksum += Hash(canon);
      ++t.rows;
    }
  }
  return t;
}

// Date-only start/end mean hour 00 of that day, as the real API does.
std::string FakeApi::Answer(const std::string& url, int64_t* total) const {
  std::string start = Param(url, "start"), end = Param(url, "end");
  int64_t first = *ParseHour(start.size() == 10 ? start + "T00" : start, false);
  int64_t last = *ParseHour(end.size() == 10 ? end + "T00" : end, false);
  uint64_t offset = std::strtoull(Param(url, "offset").c_str(), nullptr, 10);
  uint64_t length = std::strtoull(Param(url, "length").c_str(), nullptr, 10);
  if (length > 5000) length = 5000;
  *total = (last - first + 1) * series_;
  std::string data;
  for (uint64_t i = offset;
       i < offset + length && i < static_cast<uint64_t>(*total); ++i) {
    if (!data.empty()) data += ",";
    data += RowJson(first + static_cast<int64_t>(i) / series_,
                    static_cast<int>(i % series_));
  }
  std::string warnings;
  if (offset + length < static_cast<uint64_t>(*total))
    warnings =
        "\"warnings\":[{\"warning\":\"incomplete return\","
        "\"description\":\"The API can only return 5000 rows.\"}],";
  return "{" + warnings + "\"response\":{\"total\":\"" +
         std::to_string(*total) +
         "\",\"dateFormat\":\"YYYY-MM-DD\\\"T\\\"HH24\",\"frequency\":"
         "\"hourly\",\"data\":[" +
         data +
         "],\"description\":\"fake\"},\"request\":{},\"apiVersion\":"
         "\"2.1.8\"}";
}

void FakeApi::Submit(HttpRequest request) {
  uint64_t seq = urls.size();
  urls.push_back(request.url);
  start_times.push_back(clock_.Now());
  HttpCompletion c;
  c.id = request.id;
  c.started_at = clock_.Now();
  c.finished_at = c.started_at + latency_;
  auto f = faults.find(seq);
  if (f != faults.end() && f->second.status == 0 &&
      f->second.error != TransportError::kNone) {
    c.error = f->second.error;
    c.error_detail = "scripted";
  } else if (f != faults.end() && f->second.status != 0 &&
             f->second.status != 200) {
    c.status = f->second.status;
    c.body = "{\"error\":{\"code\":\"SCRIPTED\",\"message\":\"scripted " +
             std::to_string(f->second.status) + "\"}}";
    if (!f->second.retry_after.empty())
      c.headers.emplace_back("retry-after", f->second.retry_after);
  } else {
    int64_t total = 0;
    c.status = 200;
    c.body = Answer(request.url, &total);
    if (f != faults.end() && f->second.truncate)
      c.body.resize(c.body.size() / 2);
    if (f != faults.end() && f->second.short_page) {
      size_t last_row = c.body.rfind(",{\"period\"");
      size_t data_end = c.body.find("]", last_row);
      if (last_row != std::string::npos)
        c.body.erase(last_row, data_end - last_row);
    }
  }
  c.bytes_received = c.body.size();
  c.new_connection = seq == 0;
  pending_.emplace(c.finished_at, std::move(c));
}

std::vector<HttpCompletion> FakeApi::Poll(Nanos deadline) {
  std::vector<HttpCompletion> out;
  if (pending_.empty() || pending_.begin()->first > deadline) {
    clock_.AdvanceTo(deadline);
    return out;
  }
  Nanos t = pending_.begin()->first;
  clock_.AdvanceTo(t);
  while (!pending_.empty() && pending_.begin()->first == t) {
    out.push_back(std::move(pending_.begin()->second));
    pending_.erase(pending_.begin());
  }
  return out;
}

}  // namespace eiabench::testing
