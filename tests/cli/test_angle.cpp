// Command-line tests: angle, map-series, decay-series.
#include <doctest/doctest.h>

#include <cmath>

#include "cli_run.hpp"

TEST_CASE("angle: JSON and reference values") {
  // reference: shared/reference/angle.json (independent computation), theta = 1, n = 16
  auto r = run_relumix("angle --width 16 --theta 1 --digits 35 --json");
  REQUIRE(r.code == 0);
  auto j = r.json();
  CHECK(j["width"] == 16);
  CHECK(j["order"] == 1);
  CHECK(j["mu"].get<std::string>() == "-0.76230631076645239478367453088622989");
  CHECK(j["sigma2"].get<std::string>() == "0.12651514966393668675946786745082785");
  CHECK(j.contains("cos_infinite_width"));
  // huge width is fine; tiny theta is certified (cancellation handled)
  CHECK(run_relumix("angle --width 1000000000 --theta 1e-12 --json").code == 0);
}

TEST_CASE("map-series and decay-series JSON") {
  auto m = run_relumix("map-series --degree 4 --json").json();
  CHECK(m["coefficients"][2]["terms"]["1/pi"] == "-1/3");           // -theta^2/(3 pi)
  CHECK(m["coefficients"][3]["terms"]["1/pi^2"] == "-1/18");        // -theta^3/(18 pi^2)
  CHECK(m["coefficients"][4]["terms"]["1/pi^3"] == "-1/54");
  auto d = run_relumix("decay-series --width 64 --degree 1 --json").json();
  // -rho(64) = log(63/69) + 640/69^2 - 384/63^2 = log(63/69) + 26368/699867 (SPEC formula, reduced by hand)
  CHECK(d["mu"][0]["terms"]["log((n-1)/(n+5))"] == "1");
  CHECK(d["mu"][0]["terms"]["1"] == "26368/699867");
  CHECK(d["mu"][0]["value"].get<std::string>().rfind("-0.05329604838848999076105271060", 0) == 0);
  // sigma^2(0, 64) = 8*64*(64^2 - 128 + 55)/(63^2 69^2) = 76288/699867
  CHECK(d["sigma2"][0]["terms"]["1"] == "76288/699867");
  auto dd = run_relumix("decay-series --order 1 --degree 2 --json").json();
  CHECK(dd["order"] == 1);
  CHECK(dd["degree"] == 2);
  CHECK(dd["mu"].size() == 6);
}

TEST_CASE("angle commands: bad input") {
  CHECK_BAD_INPUT("angle --width 1 --theta 0.1");
  CHECK_BAD_INPUT("angle --width 64 --theta 0");
  CHECK_BAD_INPUT("angle --width 64 --theta 3.2");
  CHECK_BAD_INPUT("angle --width 64 --theta -0.1");
  CHECK_BAD_INPUT("angle --width 64 --theta 0.1x");
  CHECK_BAD_INPUT("angle --width abc --theta 0.1");
  CHECK_BAD_INPUT("angle --width 64");
  CHECK_BAD_INPUT("angle --width 64 --theta 0.1 --digits 0");
  CHECK_BAD_INPUT("angle --width 64 --theta 0.1 --order 9");
  CHECK_BAD_INPUT("map-series --degree 201");
  CHECK_BAD_INPUT("map-series --degree 0");
  CHECK_BAD_INPUT("decay-series --degree 2");
  CHECK_BAD_INPUT("decay-series --width 1 --degree 2");
  CHECK_BAD_INPUT("decay-series --width 64 --degree 61");
  CHECK_BAD_INPUT("decay-series --width 64 --order 1");
}

TEST_CASE("angle --order K: the cumulant series, said in the JSON; theta = pi is exactly 0") {
  auto a = run_relumix("angle --width 64 --theta 0.1 --order 3 --digits 20 --json");
  REQUIRE(a.code == 0);
  auto j = a.json();
  CHECK(j["order"] == 3);
  CHECK(j["form"] == "cumulant series through n^-3");
  // SPEC 5: at n = 64, theta = 0.1 a Monte Carlo gives -4.663 +- 0.001 where the O(1/n) form gives -4.683
  double mu = std::stod(j["mu"].get<std::string>());
  CHECK(std::fabs(mu - (-4.663)) < 0.002);
  auto p = run_relumix("angle --width 64 --theta 0.1 --digits 20 --json").json();
  CHECK(p["form"] == "paper O(1/n)");
  CHECK(std::fabs(std::stod(p["mu"].get<std::string>()) - (-4.683)) < 0.001);
  for (const char* k : {"1", "4"}) {
    auto z = run_relumix(std::string("angle --width 16 --theta pi --json --order ") + k);
    REQUIRE(z.code == 0);
    CHECK(z.json()["mu"] == "0");
    CHECK(z.json()["sigma2"] == "0");
  }
}

TEST_CASE("decay-series --order K: k >= 2 from the cumulant expansion") {
  auto d = run_relumix("decay-series --order 3 --degree 2 --json");
  REQUIRE(d.code == 0);
  auto j = d.json();
  CHECK(j["order"] == 3);
  CHECK(j["mu"].size() == 12);  // (degree + 1) x (order + 1)
  // c_{0,1} = mu_1(0) = -2 (the 1/n part of -rho(n) = -2/n + ...), c_{0,2} = -8, s_{0,1} = 8, s_{0,2} = 32:
  // the limits of SPEC 4's rho(n) and sigma^2(0,n) expanded in 1/n agree at order 1
  for (auto& e : j["mu"]) {
    if (e["j"] == 0 && e["k"] == 1) CHECK(e["terms"]["1"] == "-2");
    if (e["j"] == 0 && e["k"] == 2) CHECK(e["terms"]["1"] == "-8");
  }
  for (auto& e : j["sigma2"])
    if (e["j"] == 0 && e["k"] == 1) CHECK(e["terms"]["1"] == "8");
  CHECK_BAD_INPUT("decay-series --order 5 --degree 2");
  CHECK_BAD_INPUT("decay-series --order 2 --degree 31");
  CHECK_BAD_INPUT("angle --width 64 --theta 0.1 --order 0");
  CHECK_BAD_INPUT("angle --width 64 --theta 0.1 --order -1");
}

TEST_CASE("angle: a warning on stderr when the 1/n series stops converging, none where it converges") {
  // at n = 4 the terms of the series grow past order 1 (docs/theory.md 5.4): order 8 is past that
  auto bad = run_relumix("angle -n 4 -t 0.5 --order 8 -d 10");
  CHECK(bad.code == 0);
  CHECK(bad.err.find("warning: the 1/n series is not converging at n = 4, order 8") != std::string::npos);
  CHECK(bad.err.find("= 1\n") != std::string::npos);  // K(4) = clamp(floor(1.5 / 1.35), 1, 8)
  auto good = run_relumix("angle -n 64 -t 0.1 --order 3 -d 10");
  CHECK(good.code == 0);
  CHECK(good.err.find("warning") == std::string::npos);
}
