// relumix compare: schema, the Monte Carlo part equals `relumix mc`, the KS distance is
// recomputed independently from per-sample values and the library's predicted CDF, the figure.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "cli_run.hpp"
#include "relumix/predict/predict.hpp"
#include "relumix/mc/stats.hpp"
#include "relumix/numeric/theta.hpp"
#include "relumix/io/widths.hpp"
#include "relumix/io/angles.hpp"

namespace {
const char* kCase = "-w 64x6 -t 0.3 -s 2000 --seed 5";
}

TEST_CASE("compare --json: schema, and the Monte Carlo part is exactly `mc`") {
  auto c = run_relumix(std::string("--json compare ") + kCase);
  auto m = run_relumix(std::string("--json mc ") + kCase);
  REQUIRE(c.code == 0);
  REQUIRE(m.code == 0);
  auto j = c.json(), mj = m.json();
  CHECK(j["samples"] == 2000);
  REQUIRE(j["layers"].size() == 6);
  CHECK(std::find(j["methods"].begin(), j["methods"].end(), "density") != j["methods"].end());
  for (int l = 0; l < 6; ++l) {
    const auto& L = j["layers"][l];
    CHECK(L["layer"] == l + 1);
    for (const char* k : {"count", "mean", "sd", "stderr_mean", "q05", "q50", "q95"}) CHECK(L["mc"][k] == mj["layers"][l][k]);
    for (const auto& name : j["methods"]) CHECK(L["predictions"][name.get<std::string>()]["mean"].is_number());
    double d = L["ks"]["d"], p = L["ks"]["p"];
    CHECK(d > 0);
    CHECK(d < 1);
    CHECK(p >= 0);
    CHECK(p <= 1);
  }
}

TEST_CASE("compare: KS distance recomputed from dumped samples and the predicted CDF") {
  std::string file = "/tmp/relumix_compare_dump_" + std::to_string(getpid()) + ".csv";
  auto m = run_relumix(std::string("mc ") + kCase + " --dump-layer 6 " + file);
  auto c = run_relumix(std::string("--json compare ") + kCase);
  REQUIRE(m.code == 0);
  REQUIRE(c.code == 0);
  std::vector<double> v;
  std::ifstream f(file);
  for (std::string line; std::getline(f, line);) {
    auto p = line.find(",ok,");
    if (p != std::string::npos) v.push_back(std::stod(line.substr(p + 4, line.find(',', p + 4) - p - 4)));
  }
  std::remove(file.c_str());
  REQUIRE(v.size() > 1000);
  std::sort(v.begin(), v.end());
  relumix::PredictOptions po;
  po.method = relumix::PredictMethod::Density;
  auto pred = relumix::predict(relumix::parse_widths("64x6"), relumix::parse_theta_checked("0.3", true), po);
  double d = relumix::ks_statistic(v, [&](double x) { return pred.cdf(6, x); });
  // compare's KS comes from the Monte Carlo's fine binning: the exact distance lies in [d, d_upper]
  const auto cj = c.json();
  const auto& ks = cj["layers"][5]["ks"];
  CHECK(ks["d"].get<double>() <= d + 1e-12);
  CHECK(d <= ks["d_upper"].get<double>() + 1e-12);
  CHECK(ks["d_upper"].get<double>() - ks["d"].get<double>() < 0.01);
}

TEST_CASE("compare --plot: SVG with gnuplot, data files and a clear message without") {
  auto dir = std::filesystem::temp_directory_path() / ("relumix_compare_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::string svg = (dir / "fig.svg").string();
  if (std::system("command -v gnuplot >/dev/null 2>&1") == 0) {
    auto r = run_relumix(std::string("compare ") + kCase + " --plot " + svg);
    REQUIRE(r.code == 0);
    std::ifstream f(svg);
    std::string text((std::istreambuf_iterator<char>(f)), {});
    CHECK(text.find("<svg") != std::string::npos);
    std::filesystem::remove(svg);
  }
  // run without gnuplot on PATH
  std::string cmd = std::string("env PATH=/nonexistent ") + RELUMIX_BIN + " compare " + kCase + " --plot " + svg +
                    " > " + (dir / "out.txt").string() + " 2>&1";
  int status = std::system(cmd.c_str());
  CHECK(WEXITSTATUS(status) == 0);
  std::ifstream o(dir / "out.txt");
  std::string out((std::istreambuf_iterator<char>(o)), {});
  CHECK(out.find("gnuplot not found") != std::string::npos);
  CHECK(std::filesystem::exists(dir / "fig_layers.dat"));
  CHECK(std::filesystem::exists(dir / "fig.gp"));
  CHECK(std::filesystem::exists(dir / "fig_hist_L6.dat"));
  CHECK(std::filesystem::exists(dir / "fig_density_L6.dat"));
  CHECK(!std::filesystem::exists(svg));
  std::filesystem::remove_all(dir);
}

TEST_CASE("compare bad input") {
  CHECK_BAD_INPUT("compare -w 1x3 -s 10");
  CHECK_BAD_INPUT("compare -w 64x3 -t 0 -s 10");
  CHECK_BAD_INPUT("compare -w 64x3 -t 4 -s 10");
  CHECK_BAD_INPUT("compare -w 64x3 -s 0");
  CHECK_BAD_INPUT("compare -w 64x3 -s 10 --threads 0");
  CHECK_BAD_INPUT("compare -w 64x3 -s 10 --methods nonsense");
  CHECK_BAD_INPUT("compare -w 64x3 -s 10 --density-layers 4");
  CHECK_BAD_INPUT("compare -w 64x3 -s 10 --density-layers 1,2,3");
  CHECK_BAD_INPUT("compare -w 64x3 -s 10 --seed -1");
  CHECK_BAD_INPUT("compare -w 64x3 -s 1e3x");
  CHECK_BAD_INPUT("compare -w 64x3 -s 10 --order 9");
  CHECK_BAD_INPUT("compare -w 64x3 -s 10 --plot /nonexistent/dir/f.svg");
}

TEST_CASE("compare: the accurate model's p_excluded next to the simulated excluded fraction") {
  // n = 8: about a third of the networks are dead or degenerate by layer 12
  auto j = run_relumix("--json compare -w 8x12 -t 1 -s 20000 --methods density").json();
  CHECK(j["model"] == "accurate");
  CHECK(j["order"] == "K(n)");
  for (const auto& L : j["layers"]) {
    double f = L["mc"]["p_excluded"].get<double>(), q = L["predictions"]["density"]["p_excluded"].get<double>();
    CHECK(f == doctest::Approx(double(L["mc"]["dead"].get<long>() + L["mc"]["degenerate"].get<long>()) / 20000));
    CHECK_MESSAGE(std::fabs(q - f) <= 4.5 * std::sqrt(q * (1 - q) / 20000), "layer " << L["layer"] << ": " << q << " vs " << f);
  }
  CHECK(j["layers"][11]["predictions"]["density"]["p_excluded"].get<double>() > 0.2);
  auto t = run_relumix("compare -w 8x3 -t 1 -s 1000 --methods density");
  CHECK(t.out.find("p_excl") != std::string::npos);
  auto p = run_relumix("--json compare -w 8x3 -t 1 -s 1000 --methods density --model paper-linear").json();
  CHECK(p["model"] == "paper-linear");
  CHECK(!p["layers"][0]["predictions"]["density"].contains("p_excluded"));
}
