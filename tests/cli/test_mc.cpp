// relumix mc: text and JSON output, reproducibility across thread counts, dump files, bad input,
// Ctrl-C.
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <fstream>
#include <sstream>
#include <string>

#include "cli_run.hpp"

namespace {
nlohmann::json without_seconds(nlohmann::json j) {
  j.erase("seconds");
  return j;
}
}  // namespace

TEST_CASE("mc --json: schema and bookkeeping") {
  auto r = run_relumix("--json mc --widths 3,64 --theta0 pi/3 --samples 400 --seed 7 --hist 6");
  REQUIRE(r.code == 0);
  auto j = r.json();
  CHECK(j["samples"] == 400);
  CHECK(j["seed"] == 7);
  CHECK(j["mode"] == "chain");
  CHECK(j["widths"] == nlohmann::json({3, 64}));
  CHECK(j["theta0"] == "pi/3");
  CHECK(j["seconds"].get<double>() >= 0);
  REQUIRE(j["layers"].size() == 2);
  for (int l = 0; l < 2; ++l) {
    const auto& L = j["layers"][l];
    CHECK(L["layer"] == l + 1);
    CHECK(L["count"].get<long>() + L["degenerate"].get<long>() + L["dead"].get<long>() == 400);
    for (const char* k : {"mean", "sd", "stderr_mean", "q05", "q25", "q50", "q75", "q95", "min", "max"}) {
      INFO(k);
      REQUIRE(L[k].is_number());
      REQUIRE(L["theta"][k].is_number());
    }
    CHECK(L["q05"].get<double>() <= L["q25"].get<double>());
    CHECK(L["q25"].get<double>() <= L["q50"].get<double>());
    CHECK(L["q50"].get<double>() <= L["q75"].get<double>());
    CHECK(L["q75"].get<double>() <= L["q95"].get<double>());
    CHECK(L["stderr_mean"].get<double>() ==
          doctest::Approx(L["sd"].get<double>() / std::sqrt(L["count"].get<double>())).epsilon(1e-12));
    long total = 0;
    for (const auto& c : L["hist"]["counts"]) total += c.get<long>();
    CHECK(L["hist"]["counts"].size() == 6);
    CHECK(total == L["count"].get<long>());
  }
  // width 3 at theta0 = pi/3: dead and parallel events happen (probabilities 0.19 and 0.25)
  CHECK(j["layers"][0]["dead"].get<long>() > 0);
  CHECK(j["layers"][0]["degenerate"].get<long>() > 0);
}

TEST_CASE("mc text mode: a readable table") {
  auto r = run_relumix("mc -w 16x3 -t 0.5 -s 300");
  REQUIRE(r.code == 0);
  CHECK(r.out.find("chain mode, widths 16x3 (3 layers), theta0 = 0.5, 300 samples, seed 1") != std::string::npos);
  CHECK(r.out.find("layer") != std::string::npos);
  int rows = 0;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);)
    if (line.rfind("    ", 0) == 0 && line.find("   16 ") != std::string::npos) ++rows;
  CHECK(rows == 3);
  CHECK(r.out.find("time:") != std::string::npos);
}

TEST_CASE("mc output does not depend on --threads; the seed matters") {
  auto a = run_relumix("--json mc -w 40,5,40 -t 1 -s 500 --seed 3 --threads 1");
  auto b = run_relumix("--json mc -w 40,5,40 -t 1 -s 500 --seed 3 --threads 3");
  auto c = run_relumix("--json mc -w 40,5,40 -t 1 -s 500 --seed 4 --threads 3");
  auto d = run_relumix("--json mc -w 6,5,4 -t 1 -s 300 --seed 3 --threads 1 --mode network");
  auto e = run_relumix("--json mc -w 6,5,4 -t 1 -s 300 --seed 3 --threads 2 --mode network");
  REQUIRE(a.code == 0);
  REQUIRE(b.code == 0);
  REQUIRE(d.code == 0);
  CHECK(without_seconds(a.json()) == without_seconds(b.json()));
  CHECK(without_seconds(a.json()) != without_seconds(c.json()));
  CHECK(without_seconds(d.json()) == without_seconds(e.json()));
  CHECK(d.json()["mode"] == "network");
}

TEST_CASE("mc --dump-layer writes per-sample values") {
  std::string file = "/tmp/relumix_mc_dump_" + std::to_string(getpid()) + ".csv";
  auto r = run_relumix("--json mc -w 3x2 -t 1 -s 250 --dump-layer 2 " + file);
  REQUIRE(r.code == 0);
  auto L = r.json()["layers"][1];
  std::ifstream f(file);
  REQUIRE(f);
  std::string line;
  long rows = 0, ok = 0, dead = 0, degenerate = 0;
  double sum = 0;
  while (std::getline(f, line)) {
    if (line.empty() || line[0] == '#' || line.rfind("sample", 0) == 0) continue;
    ++rows;
    if (line.find(",ok,") != std::string::npos) {
      ++ok;
      auto p = line.find(",ok,") + 4;
      sum += std::stod(line.substr(p, line.find(',', p) - p));
    }
    dead += line.find(",dead,") != std::string::npos;
    degenerate += line.find(",degenerate,") != std::string::npos;
  }
  std::remove(file.c_str());
  CHECK(rows == 250);
  CHECK(ok == L["count"].get<long>());
  CHECK(dead == L["dead"].get<long>());
  CHECK(degenerate == L["degenerate"].get<long>());
  CHECK(sum / double(ok) == doctest::Approx(L["mean"].get<double>()).epsilon(1e-12));
}

TEST_CASE("mc bad input: one line, exit 2") {
  CHECK_BAD_INPUT("mc -w 256 -t 0.1 -s 0");
  CHECK_BAD_INPUT("mc -w 256 -t 0.1 -s -5");
  CHECK_BAD_INPUT("mc -w 256 -t 0.1 -s 1e11");
  CHECK_BAD_INPUT("mc -w 256 -t 0.1 -s 10000000001");
  CHECK_BAD_INPUT("mc -w 256 -t 0.1 -s 2.5");
  CHECK_BAD_INPUT("mc -w 256 -t 0.1 -s abc");
  CHECK_BAD_INPUT("mc -w 1x3 -t 0.1");
  CHECK_BAD_INPUT("mc -w 0 -t 0.1 --mode network");
  CHECK_BAD_INPUT("mc -w 256x -t 0.1");
  CHECK_BAD_INPUT("mc -w 256 -t 0");
  CHECK_BAD_INPUT("mc -w 256 -t 4");
  CHECK_BAD_INPUT("mc -w 256 -t -0.1");
  CHECK_BAD_INPUT("mc -w 256 -t pi+0.1");
  CHECK_BAD_INPUT("mc -w 256 -t 1e-400");
  CHECK_BAD_INPUT("mc -w 256 -t 0.1 --threads 0");
  CHECK_BAD_INPUT("mc -w 256 -t 0.1 --threads -3");
  CHECK_BAD_INPUT("mc -w 256 -t 0.1 --mode matrix");
  CHECK_BAD_INPUT("mc -w 1000000000 -t 0.1 --mode network -s 10");
  CHECK_BAD_INPUT("mc -w 256x32 -t 0.1 -s 1e10");
  CHECK_BAD_INPUT("mc -w 256x3 -t 0.1 --hist 0");
  CHECK_BAD_INPUT("mc -w 256x3 -t 0.1 --dump-layer 4 /tmp/x.csv");
  CHECK_BAD_INPUT("mc -w 256x3 -t 0.1 --dump-layer x /tmp/x.csv");
  CHECK_BAD_INPUT("mc -w 256x3 -t 0.1 -s 5 --dump-layer 1 /nonexistent/dir/x.csv");
  CHECK_BAD_INPUT("mc -t 0.1");
  CHECK_BAD_INPUT("mc -w 256");
}

TEST_CASE("mc stops cleanly on Ctrl-C") {
  // a run of minutes, interrupted after half a second
  std::string cmd = std::string(RELUMIX_BIN) + " mc -w 100000x2 -t 0.1 -s 1e6 --threads 2 >/dev/null 2>/tmp/relumix_mc_int_" +
                    std::to_string(getpid()) + " & p=$!; sleep 0.5; kill -INT $p; wait $p";
  auto t0 = std::chrono::steady_clock::now();
  int status = std::system(("sh -c '" + cmd + "'").c_str());
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 130);
  CHECK(secs < 10);
}
