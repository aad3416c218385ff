// relumix norm: exact depth-to-width law, Monte Carlo, bad input.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <string>

#include "cli_run.hpp"

namespace {
const long S = std::getenv("RELUMIX_SANITIZED") ? 4000 : 20000;  // smaller under the sanitizers
const std::string Ss = std::to_string(S);
}  // namespace

TEST_CASE("norm --json: exact values and schema") {
  // width 1: K = 1 at every layer: mean -gamma, var pi^2/2 per layer (mpmath)
  CliResult r = run_relumix("norm --width 1 --depth 1 --json");
  REQUIRE(r.code == 0);
  auto j = r.json();
  CHECK(j["width"] == 1);
  CHECK(j["depth"] == 1);
  CHECK(j["mean"] == "-0.577215664901532860606512090082");
  CHECK(j["var"] == "4.93480220054467930941724549994");
  CHECK(j["no_collapse_probability"] == "0.500000000000000000000000000000");
  // width 2, depth 3: mean -3 gamma - ln 2, var 3 (7 pi^2/18 + 8/9 ln^2 2) (derived by hand, mpmath)
  j = run_relumix("norm --width 2 --depth 3 --json").json();
  CHECK(j["mean"] == "-2.42479417526454389123676839171");
  CHECK(j["var"] == "12.7957465050527888544191795701");
  CHECK(j["mean_per_layer_closed_form"] == "2/3*ln(2) - gamma - ln(2)");
  CHECK(j["var_per_layer_closed_form"] == "8/9*ln(2)^2 + 7/18*pi^2");
  CHECK(j.contains("mean_per_layer"));
  CHECK(!j.contains("mc"));
  CliResult t = run_relumix("norm --width 2 --depth 3");
  CHECK(t.code == 0);
  CHECK(t.out.find("-2.42479417526454389123676839171") != std::string::npos);
}

TEST_CASE("norm --mc: simulated mean and variance within 4.5 standard errors") {
  CliResult r = run_relumix("norm --width 6 --depth 4 --digits 12 --mc --samples " + Ss + " --seed 7 --json");
  REQUIRE(r.code == 0);
  auto j = r.json();
  double mean = std::stod(j["mean"].get<std::string>()), var = std::stod(j["var"].get<std::string>());
  auto mc = j["mc"];
  CHECK(mc["samples"] == S);
  CHECK(mc["used"].get<long>() + mc["collapsed"].get<long>() == S);
  CHECK(std::fabs(mc["mean"].get<double>() - mean) <= 4.5 * mc["stderr_mean"].get<double>());
  CHECK(std::fabs(mc["var"].get<double>() - var) <= 4.5 * mc["stderr_var"].get<double>());
  CHECK(run_relumix("norm --width 6 --depth 4 --digits 12 --mc --samples " + Ss + " --seed 7 --json").out == r.out);
}

TEST_CASE("norm: bad input") {
  CHECK_BAD_INPUT("norm --width 4 --depth 3 --mc --samples 10 --seed 18446744073709551616");
  CHECK_BAD_INPUT("norm --width 0 --depth 5");
  CHECK_BAD_INPUT("norm --width 3 --depth 0");
  CHECK_BAD_INPUT("norm --width 20001 --depth 5");
  CHECK_BAD_INPUT("norm --width x --depth 5");
  CHECK_BAD_INPUT("norm --width 3 --depth 5 --digits 0");
  CHECK_BAD_INPUT("norm --width 3 --depth 5 --digits 100001");
  CHECK_BAD_INPUT("norm --width 3 --depth 5 --mc --samples 1");
  CHECK_BAD_INPUT("norm --width 3 --depth 5 --mc --samples -4");
  CHECK_BAD_INPUT("norm --width 3 --depth 5 --mc 100");           // --mc is a flag: the count is --samples
  CHECK_BAD_INPUT("norm --width 3 --depth 5 --samples 100");      // only with --mc
  CHECK_BAD_INPUT("norm --width 1000 --depth 1000000 --mc --samples 100000");
  CHECK_BAD_INPUT("norm --depth 5");
}

TEST_CASE("norm --mc with 2 or 3 samples left: a variance, but no standard error of it (never a fake 0)") {
  for (const char* s : {"2", "3"}) {
    auto j = run_relumix(std::string("norm --width 8 --depth 60 --mc --samples ") + s + " --seed 1 --json").json();
    INFO("samples " << s << ": " << j["mc"].dump());
    REQUIRE(j["mc"]["used"].get<long>() >= 2);
    CHECK(j["mc"]["var"].is_number());
    CHECK(j["mc"]["stderr_var"].is_null());
    auto t = run_relumix(std::string("norm --width 8 --depth 60 --mc --samples ") + s + " --seed 1");
    CHECK(t.out.find("its standard error needs at least 4 samples") != std::string::npos);
  }
  auto four = run_relumix("norm --width 8 --depth 60 --mc --samples 4 --seed 1 --json").json();
  if (four["mc"]["used"].get<long>() >= 4) CHECK(four["mc"]["stderr_var"].get<double>() > 0);
}
