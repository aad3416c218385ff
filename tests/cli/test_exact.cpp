// Command-line tests of the exact engine: moment (closed form), series, bessel, verify, tables.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli_run.hpp"

namespace {
std::vector<std::string> strs(const nlohmann::json& j) { return j.get<std::vector<std::string>>(); }
}  // namespace

TEST_CASE("moment: closed forms from the SPEC's table") {
  auto r = run_relumix("moment 2 2 --json");
  REQUIRE(r.code == 0);
  auto j = r.json();
  CHECK(j["a"] == 2);
  CHECK(j["parity"] == "even");
  CHECK(strs(j["P"]) == std::vector<std::string>{"1", "0", "2"});   // 2 rho^2 + 1
  CHECK(strs(j["Q"]) == std::vector<std::string>{"0", "3"});        // 3 rho
  j = run_relumix("moment 2 1 --json").json();                      // R = (1 + rho)^2 / 2
  CHECK(j["parity"] == "odd");
  CHECK(strs(j["R"]) == std::vector<std::string>{"1/2", "1", "1/2"});
  j = run_relumix("moment 0 4 --json").json();                      // = J_{4,0}: P = 3, Q = -2rho^3 + 5 rho
  CHECK(strs(j["P"]) == std::vector<std::string>{"3"});
  CHECK(strs(j["Q"]) == std::vector<std::string>{"0", "5", "0", "-2"});
  auto t = run_relumix("moment 3 1");
  CHECK(t.code == 0);
  CHECK(t.out.find("P(rho) = 3*rho") != std::string::npos);
  CHECK(t.out.find("Q(rho) = rho^2 + 2") != std::string::npos);
  auto l = run_relumix("moment 1 1 --format latex");
  CHECK(l.out.find("\\frac{(\\pi - \\theta)\\left(\\rho\\right) + \\sin\\theta\\left(1\\right)}{2\\pi}") != std::string::npos);
}

TEST_CASE("series: JSON terms") {
  auto j = run_relumix("series 1 1 --degree 3 --json").json();
  CHECK(j["degree"] == 3);
  REQUIRE(j["coefficients"].size() == 4);
  CHECK(j["coefficients"][0]["terms"]["1"] == "1/2");
  CHECK(j["coefficients"][1]["terms"].empty());
  CHECK(j["coefficients"][2]["terms"]["1"] == "-1/4");
  CHECK(j["coefficients"][3]["terms"]["1/pi"] == "1/6");   // (sin t - t cos t)/(2 pi) = t^3/(6 pi) + ...
  j = run_relumix("series 1 0 --degree 2 --json").json();   // (1 + cos t)/(2 sqrt(2 pi))
  CHECK(j["coefficients"][0]["terms"]["1/sqrt(2pi)"] == "1");
  CHECK(j["coefficients"][2]["terms"]["1/sqrt(2pi)"] == "-1/4");
}

TEST_CASE("bessel: A100861 rows") {
  auto j = run_relumix("bessel 8 --json").json();
  CHECK(j["n"] == 8);
  CHECK(strs(j["T"]) == std::vector<std::string>{"1", "28", "210", "420", "105"});
}

TEST_CASE("verify --max 30 passes") {
  auto r = run_relumix("verify --max 30 --json");
  CHECK(r.code == 0);
  auto j = r.json();
  CHECK(j["failed"] == 0);
  CHECK(j["checked"].get<long>() > 5000);
  CHECK(j["failures"].empty());
}

TEST_CASE("tables/ is what `relumix tables` makes") {
  auto dir = std::filesystem::temp_directory_path() / ("relumix_tables_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto r = run_relumix("tables --dir " + dir.string());
  REQUIRE(r.code == 0);
  std::filesystem::path checked_in = std::filesystem::path(RELUMIX_SOURCE_DIR) / "tables";
  int n = 0;
  for (auto& e : std::filesystem::directory_iterator(dir)) {
    ++n;
    INFO("table " << e.path().filename().string());
    auto ours = checked_in / e.path().filename();
    REQUIRE(std::filesystem::exists(ours));
    CHECK(slurp(ours) == slurp(e.path()));
  }
  CHECK(n >= 6);
  std::filesystem::remove_all(dir);
}

TEST_CASE("bad input: one-line error, non-zero exit") {
  CHECK_BAD_INPUT("moment -1 2");
  CHECK_BAD_INPUT("moment 1.5 2");
  CHECK_BAD_INPUT("moment abc 1");
  CHECK_BAD_INPUT("moment 3000 2001");
  CHECK_BAD_INPUT("moment 99999999999999999999999 1");
  CHECK_BAD_INPUT("moment 1");
  CHECK_BAD_INPUT("moment 1 1 --format html");
  CHECK_BAD_INPUT("moment 1 1 --format latex --theta 0.1");
  CHECK_BAD_INPUT("series 1 1 --degree 5001");
  CHECK_BAD_INPUT("series 1 1 --degree -3");
  CHECK_BAD_INPUT("bessel 5001");
  CHECK_BAD_INPUT("bessel");
  CHECK_BAD_INPUT("verify --max 201");
  CHECK_BAD_INPUT("frobnicate");
  CHECK_BAD_INPUT("moment 1 1 --bogus");
  CHECK_BAD_INPUT("");
}

TEST_CASE("--help explains and exits 0") {
  auto r = run_relumix("--help");
  CHECK(r.code == 0);
  CHECK(r.out.find("moment") != std::string::npos);
  auto m = run_relumix("moment --help");
  CHECK(m.code == 0);
  CHECK(m.out.find("--theta") != std::string::npos);
}
