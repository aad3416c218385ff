// Command-line tests of certified values: relumix moment A B --theta T [--digits D] (issue 3).
// Expected values: tests/data/moments.json (a copy of ../shared/reference/moments.json, computed
// by independent quadrature) and exact values (J(0) = m_{a+b}, J(pi/2) = m_a m_b, J(pi) = 0).
#include <doctest/doctest.h>

#include <fstream>

#include "cli_run.hpp"
#include "support.hpp"

using relumix::test::significant_digits;

TEST_CASE("moment --theta: reference values to 50 digits") {
  std::ifstream f(std::string(RELUMIX_TEST_DATA) + "/moments.json");
  REQUIRE(f.good());
  nlohmann::json ref = nlohmann::json::parse(f);
  for (const auto& v : ref["values"]) {
    int a = v["a"], b = v["b"];
    std::string th = v["theta"];
    std::string args = "moment " + std::to_string(a) + " " + std::to_string(b) + " --theta '" + th + "' --digits 50 --json";
    auto r = run_relumix(args);
    INFO(args << " -> " << r.out << r.err);
    REQUIRE(r.code == 0);
    auto j = r.json();
    CHECK(j["a"] == a);
    CHECK(j["b"] == b);
    CHECK(j["theta"] == th);
    CHECK(j["digits"] == 50);
    CHECK(j["value"] == v["value"]);
  }
}

TEST_CASE("moment --theta: one value, default digits, exact values") {
  auto r = run_relumix("moment 1 1 --theta 0.3 --digits 50 --json");
  REQUIRE(r.code == 0);
  CHECK(r.json()["value"] == "0.47908778886837458481719250592691671106333735735351");
  r = run_relumix("moment 2 2 --theta pi/2 --json");  // m_2 m_2 = 1/4, 30 digits by default
  REQUIRE(r.code == 0);
  CHECK(r.json()["digits"] == 30);
  CHECK(r.json()["value"] == "0.250000000000000000000000000000");
  r = run_relumix("moment 3 2 --theta pi --json");  // exactly 0
  REQUIRE(r.code == 0);
  CHECK(r.json()["value"] == "0");
  r = run_relumix("moment 4 2 --theta 0 --digits 5 --json");  // m_6 = 15/2
  REQUIRE(r.code == 0);
  CHECK(r.json()["value"] == "7.5000");
  r = run_relumix("moment 1 1 --theta 1e-30 --json");  // 1/2 - O(theta^3)
  REQUIRE(r.code == 0);
  CHECK(r.json()["value"] == "0.500000000000000000000000000000");
  // plain text output shows the value
  auto t = run_relumix("moment 1 1 --theta 0.3 --digits 20");
  CHECK(t.code == 0);
  CHECK(t.out.find("0.47908778886837458482") != std::string::npos);
}

TEST_CASE("moment --theta: lists and grids") {
  auto r = run_relumix("moment 1 1 --theta 0.3,pi/2,pi --digits 20 --json");
  REQUIRE(r.code == 0);
  auto j = r.json();
  CHECK(j["a"] == 1);
  CHECK(j["b"] == 1);
  CHECK(j["digits"] == 20);
  REQUIRE(j["values"].size() == 3);
  CHECK(j["values"][0]["theta"] == "0.3");
  CHECK(j["values"][0]["value"] == "0.47908778886837458482");
  CHECK(j["values"][1]["theta"] == "pi/2");
  CHECK(j["values"][1]["value"] == "0.15915494309189533577");  // m_1 m_1 = 1/(2 pi)
  CHECK(j["values"][2]["value"] == "0");
  r = run_relumix("moment 2 0 --theta 0:pi:5 --json");
  REQUIRE(r.code == 0);
  j = r.json();
  REQUIRE(j["values"].size() == 5);
  CHECK(j["values"][0]["theta"] == "0");
  CHECK(j["values"][0]["value"] == "0.500000000000000000000000000000");  // m_2
  CHECK(j["values"][2]["value"] == "0.250000000000000000000000000000");  // pi/2: m_2 m_0
  CHECK(j["values"][4]["theta"] == "pi");
  CHECK(j["values"][4]["value"] == "0");
  // a longer grid: every value certified and positive inside (0, pi)
  r = run_relumix("moment 3 3 --theta 0:pi:1001 --digits 40 --json");
  REQUIRE(r.code == 0);
  j = r.json();
  REQUIRE(j["values"].size() == 1001);
  for (std::size_t i = 0; i + 1 < 1001; ++i) {
    std::string v = j["values"][i]["value"];
    CHECK(significant_digits(v) == 40);
    CHECK(v[0] != '-');
  }
}

TEST_CASE("moment --theta: hard cases") {
  // near pi: J ~ phi^(a+b+1), in scientific notation with all digits
  auto r = run_relumix("moment 20 20 --theta pi-1e-20 --json");
  REQUIRE(r.code == 0);
  std::string v = r.json()["value"];
  CHECK(significant_digits(v) == 30);
  CHECK(v.find("e-8") != std::string::npos);
  r = run_relumix("moment 3 3 --theta pi/3 --digits 10000 --json");
  REQUIRE(r.code == 0);
  CHECK(significant_digits(r.json()["value"]) == 10000);
  r = run_relumix("moment 6 5 --theta 1e-9 --digits 300 --json");
  REQUIRE(r.code == 0);
  CHECK(significant_digits(r.json()["value"]) == 300);
}

TEST_CASE("moment --theta: bad input") {
  CHECK_BAD_INPUT("moment 1 1 --theta 3.2");
  CHECK_BAD_INPUT("moment 1 1 --theta -0.1");
  CHECK_BAD_INPUT("moment 1 1 --theta 2pi");
  CHECK_BAD_INPUT("moment 1 1 --theta pi+1e-30");
  CHECK_BAD_INPUT("moment 1 1 --theta abc");
  CHECK_BAD_INPUT("moment 1 1 --theta 0.1.2");
  CHECK_BAD_INPUT("moment 1 1 --theta 1e");
  CHECK_BAD_INPUT("moment 1 1 --theta 0.1,,0.2");
  CHECK_BAD_INPUT("moment 1 1 --theta 0.3 --digits 0");
  CHECK_BAD_INPUT("moment 1 1 --theta 0.3 --digits 100001");
  CHECK_BAD_INPUT("moment 1 1 --theta 0:pi:0");
  CHECK_BAD_INPUT("moment 1 1 --theta 0:pi:10000001");
  CHECK_BAD_INPUT("moment 1 1 --theta 0:pi:2.5");
  CHECK_BAD_INPUT("moment 1 1 --theta 0:pi");
  CHECK_BAD_INPUT("moment 1 1 --theta 0:4:10");
}
