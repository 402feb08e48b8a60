// `report`: the files exist, are valid images, and the page links only to
// files that exist. Runs scripts/plot_report.py with Debian's matplotlib.
#include "harness/analysis/report.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness/common/exit_codes.h"
#include "tests/analysis/test_data.h"

namespace eiabench::analysis {
namespace {

namespace fs = std::filesystem;
using testing::DataPath;

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

fs::path FreshDir(const std::string& name) {
  fs::path dir = fs::path(EIABENCH_BINARY_DIR) / "tests" / "analysis" / name;
  fs::remove_all(dir);
  return dir;
}

// Every src="..." and href="..." target in the page.
std::vector<std::string> ImageLinks(const std::string& html) {
  std::vector<std::string> links;
  for (const std::string attribute : {"src=\"", "href=\""}) {
    size_t at = html.find(attribute);
    while (at != std::string::npos) {
      size_t start = at + attribute.size();
      size_t end = html.find('"', start);
      if (end == std::string::npos) break;
      links.push_back(html.substr(start, end - start));
      at = html.find(attribute, end);
    }
  }
  return links;
}

TEST_CASE("report writes five PNG charts and a page that links only them",
          "[analysis]") {
  fs::path dir = FreshDir("report_png");
  ReportOptions options;
  options.inputs = {DataPath("grid_sim.json")};
  options.out_dir = dir.string();
  ReportResult r = GenerateReport(options);
  INFO(r.error);
  REQUIRE(r.exit_code == kExitOk);
  std::string html = ReadAll(dir / "index.html");
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(html.find("http") == std::string::npos);  // nothing fetched

  auto links = ImageLinks(html);
  CHECK(links.size() == 5);
  for (const auto& link : links) {
    INFO(link);
    fs::path image = dir / link;
    REQUIRE(fs::exists(image));
    REQUIRE(fs::file_size(image) > 1000);
    CHECK(ReadAll(image).substr(0, 8) == "\x89PNG\r\n\x1a\n");
  }
}

TEST_CASE("report writes SVG charts with an svg root element", "[analysis]") {
  fs::path dir = FreshDir("report_svg");
  ReportOptions options;
  options.inputs = {DataPath("base_sim.json"), DataPath("grid_sim.json")};
  options.out_dir = dir.string();
  options.image_format = "svg";
  options.x_axis = "days_per_batch";
  options.y_axis = "max_concurrent_batches";
  ReportResult r = GenerateReport(options);
  INFO(r.error);
  REQUIRE(r.exit_code == kExitOk);
  auto links = ImageLinks(ReadAll(dir / "index.html"));
  REQUIRE_FALSE(links.empty());
  for (const auto& link : links) {
    std::string svg = ReadAll(dir / link);
    CHECK(svg.find("<svg") != std::string::npos);
    CHECK(svg.find("</svg>") != std::string::npos);
  }
}

TEST_CASE("report names a chart it cannot draw instead of linking it",
          "[analysis]") {
  // One cell per axis value and no second axis: no heat map, no batch plot.
  fs::path dir = FreshDir("report_partial");
  ReportOptions options;
  options.inputs = {DataPath("missing_cell_sim.json")};
  options.out_dir = dir.string();
  REQUIRE(GenerateReport(options).exit_code == kExitOk);
  std::string html = ReadAll(dir / "index.html");
  CHECK(html.find("Not drawn: needs two parameters") != std::string::npos);
  for (const auto& link : ImageLinks(html)) CHECK(fs::exists(dir / link));
}

TEST_CASE("report refuses bad input with the documented exit codes",
          "[analysis]") {
  ReportOptions options;
  options.out_dir = FreshDir("report_bad").string();
  options.inputs = {DataPath("schema_v2.json")};
  CHECK(GenerateReport(options).exit_code == kExitInvalidRun);
  options.inputs = {DataPath("grid_sim.json")};
  options.image_format = "gif";
  CHECK(GenerateReport(options).exit_code == kExitUsage);
  options.image_format = "png";
  options.script = "/nonexistent/plot.py";
  CHECK(GenerateReport(options).exit_code == kExitEnvironment);
}

}  // namespace
}  // namespace eiabench::analysis
