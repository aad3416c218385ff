// Command-line tests: predict (methods, JSON shape, architecture screening, bad input).
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <unistd.h>

#include "cli_run.hpp"

namespace {
std::string temp_file(const std::string& body) {
  static int k = 0;
  std::string path = "/tmp/relumix_predict_test_" + std::to_string(getpid()) + "_" + std::to_string(k++) + ".txt";
  std::ofstream(path) << body;
  return path;
}
}  // namespace

TEST_CASE("predict --json: density layers with sd and quantiles") {
  auto r = run_relumix("--json predict --widths 256x4,128x2 --theta0 0.1 --method density --model paper-linear");
  REQUIRE(r.code == 0);
  auto j = r.json();
  CHECK(j["widths"] == nlohmann::json({256, 256, 256, 256, 128, 128}));
  CHECK(j["depth"] == 6);
  CHECK(j["theta0"] == "0.1");
  CHECK(j["method"] == "density");
  CHECK(j["model"] == "paper-linear");
  CHECK(j["mean_model"] == "linear");
  CHECK(j["variance_model"] == "baseline");
  CHECK(j["grid"]["points"].get<long>() >= 2001);
  REQUIRE(j["layers"].size() == 6);
  for (std::size_t l = 0; l < 6; ++l) {
    auto L = j["layers"][l];
    CHECK(L["layer"] == l + 1);
    for (const char* k : {"mean", "sd", "q05", "q50", "q95"}) CHECK(L.contains(k));
    CHECK(L["q05"].get<double>() < L["q50"].get<double>());
    CHECK(L["q50"].get<double>() < L["q95"].get<double>());
  }
  // layer 1: N(m, 8n/(n+5)^2) exactly, n = 256
  CHECK(j["layers"][0]["sd"].get<double>() == doctest::Approx(std::sqrt(8.0 * 256) / 261).epsilon(1e-14));
}

TEST_CASE("predict --json: mean-path methods have no sd") {
  for (const char* m : {"infinite", "linear", "full"}) {
    auto r = run_relumix(std::string("--json predict --widths 64,128,256 --theta0 pi/3 --method ") + m);
    REQUIRE(r.code == 0);
    auto j = r.json();
    CHECK(j["method"] == m);
    CHECK(j["widths"] == nlohmann::json({64, 128, 256}));
    REQUIRE(j["layers"].size() == 3);
    CHECK(j["layers"][2].contains("theta"));
    CHECK(j["layers"][2].contains("mean"));
    CHECK(!j["layers"][2].contains("sd"));
  }
  auto t = run_relumix("predict --widths 16x3 --theta0 1 --method full");
  CHECK(t.code == 0);
  CHECK(t.out.find("layer") != std::string::npos);
  auto d = run_relumix("predict --widths 16x3 --theta0 1 --model paper-linear --full-mean --full-variance --grid 3000");
  CHECK(d.code == 0);
  CHECK(d.out.find("q95") != std::string::npos);
}

TEST_CASE("predict --architectures: ranked screen") {
  std::string f = temp_file("# candidates\nwide: 512x16\nnarrow: 16x16\n64x8,32x8\n");
  auto r = run_relumix("--json predict --architectures " + f);
  std::remove(f.c_str());
  REQUIRE(r.code == 0);
  auto j = r.json();
  CHECK(j["theta0"] == "pi/2");
  CHECK(j["method"] == "density");
  REQUIRE(j["architectures"].size() == 3);
  CHECK(j["architectures"][0]["rank"] == 1);
  CHECK(j["architectures"][0]["name"] == "wide");
  CHECK(j["architectures"][0]["widths"] == nlohmann::json(std::vector<long>(16, 512)));
  CHECK(j["architectures"][0]["layers"] == 16);
  CHECK(j["architectures"][2]["name"] == "narrow");
  CHECK(j["architectures"][1]["name"] == "64x8,32x8");
  CHECK(j["architectures"][0].contains("sd"));
  CHECK(j["architectures"][0]["mean"].get<double>() > j["architectures"][2]["mean"].get<double>());
}

TEST_CASE("predict: bad input") {
  CHECK_BAD_INPUT("predict --widths 1x3 --theta0 1");
  CHECK_BAD_INPUT("predict --widths 64,1 --theta0 1");
  CHECK_BAD_INPUT("predict --widths 64 --theta0 0");
  CHECK_BAD_INPUT("predict --widths 64 --theta0 -1");
  CHECK_BAD_INPUT("predict --widths 64 --theta0 4");
  CHECK_BAD_INPUT("predict --widths '' --theta0 1");
  CHECK_BAD_INPUT("predict --widths 256x --theta0 1");
  CHECK_BAD_INPUT("predict --widths x3 --theta0 1");
  CHECK_BAD_INPUT("predict --widths 12,,3 --theta0 1");
  CHECK_BAD_INPUT("predict --widths abc --theta0 1");
  CHECK_BAD_INPUT("predict --widths 256x1000001 --theta0 1");
  CHECK_BAD_INPUT("predict --widths 64 --theta0 1 --method exact");
  CHECK_BAD_INPUT("predict --widths 64 --theta0 1 --method linear --full-mean");
  CHECK_BAD_INPUT("predict --widths 64 --theta0 1 --grid 2");
  CHECK_BAD_INPUT("predict --widths 64 --theta0 1 --grid x");
  CHECK_BAD_INPUT("predict --widths 64 --theta0 1 --model exact");
  CHECK_BAD_INPUT("predict --widths 64 --theta0 1 --full-mean");  // only with --model paper-linear
  CHECK_BAD_INPUT("predict --widths 64 --theta0 1 --method linear --model paper-full");
  CHECK_BAD_INPUT("predict --widths 64");
  CHECK_BAD_INPUT("predict --widths 64 --theta0 1 --method full --order 9");
  CHECK_BAD_INPUT("predict --widths 64 --theta0 1 --method full --order 0");
  CHECK_BAD_INPUT("predict --widths 64 --theta0 1 --method linear --order 3");
  CHECK_BAD_INPUT("predict --theta0 1");
  CHECK_BAD_INPUT("predict --architectures /nonexistent/relumix_archs.txt");
  std::string f = temp_file("ok: 64x2\nbad: 64,,2\n");
  CHECK_BAD_INPUT("predict --architectures " + f);
  std::string e = temp_file("# only a comment\n");
  CHECK_BAD_INPUT("predict --architectures " + e);
  CHECK_BAD_INPUT("predict --architectures " + e + " --widths 64");
  std::remove(f.c_str());
  std::remove(e.c_str());
}

TEST_CASE("predict --order K: density uses the order-K mean and variance; layer 1 is mu_K, sigma^2_K") {
  auto r = run_relumix("--json predict --widths 64x3 --theta0 0.5 --model paper-linear --order 3");
  REQUIRE(r.code == 0);
  auto j = r.json();
  CHECK(j["order"] == 3);
  CHECK(j["mean_model"] == "full");
  CHECK(j["variance_model"] == "full");
  // layer 1 is exactly Gaussian with the certified values of `angle --order 3`
  auto a = run_relumix("--json angle --width 64 --theta 0.5 --order 3 --digits 17").json();
  CHECK(j["layers"][0]["mean"].get<double>() == doctest::Approx(std::stod(a["mu"].get<std::string>())).epsilon(1e-13));
  CHECK(j["layers"][0]["sd"].get<double>() ==
        doctest::Approx(std::sqrt(std::stod(a["sigma2"].get<std::string>()))).epsilon(1e-13));
  auto f = run_relumix("--json predict --widths 64x3 --theta0 0.5 --method full --model paper-full --order 2").json();
  auto a2 = run_relumix("--json angle --width 64 --theta 0.5 --order 2 --digits 17").json();
  CHECK(f["layers"][0]["mean"].get<double>() == doctest::Approx(std::stod(a2["mu"].get<std::string>())).epsilon(1e-13));
}

TEST_CASE("predict: the default is the accurate model, with p_excluded and error estimates") {
  auto j = run_relumix("--json predict --widths 16x2 --theta0 2.5").json();
  CHECK(j["model"] == "accurate");
  CHECK(j["order"] == "K(n)");
  CHECK(j["mean_model"] == "accurate");
  auto L1 = j["layers"][0];
  // a 40000-sample `mc -w 16x2 -t 2.5` gives -0.0033 (the linearized step gave -1.958)
  CHECK(std::fabs(L1["mean"].get<double>() + 0.0033) < 0.0005);
  for (const char* k : {"p_excluded", "mean_error", "sd_error"}) CHECK(L1.contains(k));
  CHECK(L1["p_excluded"].get<double>() == doctest::Approx(std::pow(2.0, -15) + 15 * std::pow((M_PI - 2.5) / (2 * M_PI), 16)).epsilon(1e-6));
  auto t = run_relumix("predict -w 16x3 -t 1");
  CHECK(t.code == 0);
  CHECK(t.out.find("p_excluded") != std::string::npos);
  auto o = run_relumix("--json predict -w 64x3 -t 0.5 --order 3").json();
  CHECK(o["order"] == 3);
  CHECK(o["model"] == "accurate");
  auto pf = run_relumix("--json predict -w 64x3 -t 0.5 --model paper-full").json();
  CHECK(pf["mean_model"] == "full");
  CHECK(!pf["layers"][0].contains("p_excluded"));
}
