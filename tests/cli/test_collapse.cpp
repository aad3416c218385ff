// relumix collapse: exact law, Monte Carlo options, bad input.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <string>

#include "cli_run.hpp"

namespace {
// smaller Monte Carlo under the sanitizers
const long S = std::getenv("RELUMIX_SANITIZED") ? 4000 : 20000;
const std::string Ss = std::to_string(S);
}  // namespace

TEST_CASE("collapse --json: exact law, schema") {
  CliResult r = run_relumix("collapse --width 3 --depth 5 --json");
  REQUIRE(r.code == 0);
  auto j = r.json();
  CHECK(j["width"] == 3);
  CHECK(j["depth"] == 5);
  CHECK(j["method"] == "exact");
  // 1 - (7/8)^5 = 15961/32768, by hand
  CHECK(j["probability"] == "0.487091064453125000000000000000");
  CHECK(j["survival"] == "0.512908935546875000000000000000");
}

TEST_CASE("collapse: tiny, large depth and close to one") {
  // 2^-200 (Python decimal, 50 digits)
  auto j = run_relumix("collapse --width 200 --depth 1 --digits 50 --json").json();
  CHECK(j["probability"] == "6.2230152778611417071440640537801242405902521687212e-61");
  // mpmath, 80-digit working precision
  j = run_relumix("collapse --width 200 --depth 1e18 --json").json();
  CHECK(j["probability"] == "6.22301527786114170714406405378e-43");
  j = run_relumix("collapse -n 64 -L 1000000000000000000 --json").json();
  CHECK(j["probability"] == "0.0527669362436620193021668116669");
  j = run_relumix("collapse -n 1 -L 1e18 -d 15 --json").json();
  CHECK(j["probability"] == "1.00000000000000");
  CHECK(j["survival"] == "6.11309444145570e-301029995663981196");
  CliResult t = run_relumix("collapse --width 3 --depth 5");
  CHECK(t.code == 0);
  CHECK(t.out.find("0.487091064453125000000000000000") != std::string::npos);
}

TEST_CASE("collapse Monte Carlo: bias, two inputs, reproducible") {
  CliResult r = run_relumix("collapse --width 4 --depth 3 --bias-std 1 --samples " + Ss + " --seed 3 --json");
  REQUIRE(r.code == 0);
  auto j = r.json();
  CHECK(j["method"] == "monte carlo");
  double p = 1 - std::pow(15.0 / 16.0, 3), ph = j["probability"].get<double>(), se = j["stderr_probability"].get<double>();
  CHECK(std::fabs(ph - p) <= 4.5 * std::sqrt(p * (1 - p) / double(S)));
  CHECK(se == doctest::Approx(std::sqrt(ph * (1 - ph) / double(S))));
  CHECK(j["collapsed"].get<long>() == std::lround(ph * double(S)));
  CHECK(j["exact_probability"] == "0.176025390625000000000000000000");
  CHECK(run_relumix("collapse --width 4 --depth 3 --bias-std 1 --samples " + Ss + " --seed 3 --json").out == r.out);
  // --mc forces the simulation in the bias-free case
  CHECK(run_relumix("collapse --width 4 --depth 3 --mc --samples 1000 --json").json()["method"] == "monte carlo");
  // two inputs, one layer, angle pi/2, bias-free: 2^(1-n) + (n-1)(1/4)^n
  r = run_relumix("collapse --width 3 --depth 1 --inputs 2 --theta0 pi/2 --samples " + Ss + " --json");
  REQUIRE(r.code == 0);
  j = r.json();
  double p2 = 0.25 + 2.0 / 64;
  CHECK(std::fabs(j["probability"].get<double>() - p2) <= 4.5 * std::sqrt(p2 * (1 - p2) / double(S)));
  CHECK(j["events"]["one_dead"].get<long>() + j["events"]["both_dead"].get<long>() +
            j["events"]["parallel"].get<long>() == j["collapsed"].get<long>());
  CliResult t = run_relumix("collapse --width 3 --depth 2 --inputs 2 --bias-std 0.5 --samples 100");
  CHECK(t.code == 0);
  CHECK(t.out.find("parallel") != std::string::npos);
}

TEST_CASE("collapse: bad input") {
  CHECK_BAD_INPUT("collapse --width 4 --depth 3 --bias-std 1 --samples 10 --seed -1");
  CHECK_BAD_INPUT("collapse --width 0 --depth 5");
  CHECK_BAD_INPUT("collapse --width 3 --depth 0");
  CHECK_BAD_INPUT("collapse --width -3 --depth 5");
  CHECK_BAD_INPUT("collapse --width abc --depth 5");
  CHECK_BAD_INPUT("collapse --width 3 --depth 2.5");
  CHECK_BAD_INPUT("collapse --width 2000000 --depth 5");
  CHECK_BAD_INPUT("collapse --width 3 --depth 1e19");
  CHECK_BAD_INPUT("collapse --width 3 --depth 5 --digits 0");
  CHECK_BAD_INPUT("collapse --width 3 --depth 5 --digits 100001");
  CHECK_BAD_INPUT("collapse --width 3");
  CHECK_BAD_INPUT("collapse --width 3 --depth 5 --inputs 3");
  CHECK_BAD_INPUT("collapse --width 3 --depth 5 --inputs 2 --theta0 2");
  CHECK_BAD_INPUT("collapse --width 3 --depth 5 --inputs 2 --theta0 nonsense");
  CHECK_BAD_INPUT("collapse --width 3 --depth 5 --theta0 1");             // only with --inputs 2
  CHECK_BAD_INPUT("collapse --width 3 --depth 5 --samples 100");          // only with a Monte Carlo
  CHECK_BAD_INPUT("collapse --width 3 --depth 5 --bias-std -1");
  CHECK_BAD_INPUT("collapse --width 3 --depth 5 --bias-std 1 --samples 0");
  CHECK_BAD_INPUT("collapse --width 1000 --depth 100000 --bias-std 1 --samples 1e9");
}
