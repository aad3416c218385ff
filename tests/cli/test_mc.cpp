// relumix mc: text and JSON output, reproducibility across thread counts, dump files, bad input,
// limits, Ctrl-C (partial result), checkpoints (kill -9 and resume, refused files, write errors).
#include <doctest/doctest.h>

#include <sys/mount.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "cli_run.hpp"
#include "support.hpp"

using relumix::test::sanitized;

namespace {
nlohmann::json without_seconds(nlohmann::json j) {
  j.erase("seconds");
  return j;
}


std::string tmp(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("relumix_cli_mc_" + std::to_string(getpid()) + "_" + name)).string();
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
  CHECK(j["partial"] == false);
  CHECK(j["samples_done"] == 400);
  CHECK(j["block"] == 32);
  CHECK(j["seconds"].get<double>() >= 0);
  REQUIRE(j["layers"].size() == 2);
  for (int l = 0; l < 2; ++l) {
    const auto& L = j["layers"][l];
    CHECK(L["layer"] == l + 1);
    CHECK(L["count"].get<long>() + L["degenerate"].get<long>() + L["dead"].get<long>() == 400);
    for (const char* k : {"mean", "stderr_mean", "sd", "stderr_sd", "var", "stderr_var", "q05", "q25", "q50", "q75",
                          "q95", "min", "max"}) {
      INFO(k);
      REQUIRE(L[k].is_number());
      REQUIRE(L["theta"][k].is_number());
    }
    CHECK(L["quantile_error"].get<double>() > 0);
    CHECK(L["quantile_error"].get<double>() < 0.01 * L["sd"].get<double>());
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

TEST_CASE("mc text mode: a readable table, no NaN, 'no samples' where none are left") {
  auto r = run_relumix("mc -w 16x3 -t 0.5 -s 300");
  REQUIRE(r.code == 0);
  CHECK(r.out.find("chain mode, widths 16x3 (3 layers), theta0 = 0.5, 300 samples, seed 1") != std::string::npos);
  CHECK(r.out.find("quantiles from the binning: each within") != std::string::npos);
  int rows = 0;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);)
    if (line.rfind("    ", 0) == 0 && line.find("   16 ") != std::string::npos) ++rows;
  CHECK(rows == 3);
  CHECK(r.out.find("time:") != std::string::npos);
  // every sample gone by the last layers; one sample: no spread
  auto z = run_relumix("mc -w 2x40 -t 1 -s 20");
  REQUIRE(z.code == 0);
  CHECK(z.out.find("no samples") != std::string::npos);
  auto one = run_relumix("mc -w 64 -t 1 -s 1");
  REQUIRE(one.code == 0);
  CHECK(one.out.find("n/a") != std::string::npos);
  for (const auto& out : {r.out, z.out, one.out}) {
    CHECK(out.find("nan") == std::string::npos);
    CHECK(out.find("inf") == std::string::npos);
  }
  auto zj = run_relumix("--json mc -w 2x40 -t 1 -s 20");
  CHECK(zj.json()["layers"][39]["mean"].is_null());
  CHECK(zj.out.find("NaN") == std::string::npos);
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
  std::string file = tmp("dump.csv");
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

TEST_CASE("mc bad input and limits: one line, exit 2, at once") {
  CHECK_BAD_INPUT("mc -w 256 -t 0.1 -s 0");
  CHECK_BAD_INPUT("mc -w 256 -t 0.1 -s -5");
  CHECK_BAD_INPUT("mc -w 256 -t 0.1 -s 1e13");
  CHECK_BAD_INPUT("mc -w 256 -t 0.1 -s 1000000000001");
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
  CHECK_BAD_INPUT("mc -w 256x3 -t 0.1 --hist 0");
  CHECK_BAD_INPUT("mc -w 256x3 -t 0.1 --dump-layer 4 /tmp/x.csv");
  CHECK_BAD_INPUT("mc -w 256x3 -t 0.1 --dump-layer x /tmp/x.csv");
  CHECK_BAD_INPUT("mc -w 256x3 -t 0.1 -s 5 --dump-layer 1 /nonexistent/dir/x.csv");
  CHECK_BAD_INPUT("mc -w 256x3 -t 0.1 -s 5 --dump-layer 1 /tmp/x.csv --checkpoint /tmp/x.ckpt");
  CHECK_BAD_INPUT("mc -w 256x32 -t 0.1 -s 1e9 --dump-layer 1 /tmp/x.csv");  // kept samples above the memory limit
  CHECK_BAD_INPUT("mc -w 256 -t 0.1 --checkpoint /nonexistent/dir/x.ckpt");
  CHECK_BAD_INPUT("mc -w 256 -t 0.1 --checkpoint /tmp --checkpoint-every 1");
  CHECK_BAD_INPUT("mc -w 256 -t 0.1 --checkpoint /tmp/x.ckpt --checkpoint-every -1");
  CHECK_BAD_INPUT("mc -t 0.1");
  CHECK_BAD_INPUT("mc -w 256");
  // work without a bound is refused at once, saying what and what is allowed
  auto t0 = std::chrono::steady_clock::now();
  for (const char* args : {"mc -w 1000000000000 -t 0.1 -s 1", "mc --mode network -w 100000x2 -t 0.1 -s 100000",
                           "mc -w 1000000000x11 -t 0.1 -s 1", "mc --mode network -w 1000000000 -t 0.1 -s 10"}) {
    auto r = run_relumix(args);
    INFO(args << ": " << r.err);
    CHECK(r.code == 2);
    CHECK(r.err_lines() == 1);
    CHECK((r.err.find("limit") != std::string::npos));
  }
  CHECK(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() < 5);
}

TEST_CASE("mc stops on Ctrl-C within a second, also inside a huge layer, and prints the partial result") {
  // one layer of 10^9 neurons takes seconds: the kernel polls for the stop
  const std::string out = tmp("int.out"), err = tmp("int.err");
  auto [rc, secs] = run_and_signal("mc -w 1000000000x3 -t 0.1 -s 4 --threads 2", 0.8, SIGINT, out, err);
  CHECK(rc == 130);
  CHECK(secs < 1.0);
  CHECK(slurp(err).find("relumix: interrupted") != std::string::npos);
  // an ordinary long run: the partial result, clearly marked, on stdout (text and JSON)
  std::tie(rc, secs) = run_and_signal("mc -w 256x32 -t 0.1 -s 1e8 --threads 2", 1.5, SIGINT, out, err);
  CHECK(rc == 130);
  CHECK(secs < 1.0);
  const std::string text = slurp(out);
  CHECK(text.find("PARTIAL RESULT: interrupted after") != std::string::npos);
  CHECK(text.find("layer") != std::string::npos);
  std::tie(rc, secs) = run_and_signal("--json mc -w 256x32 -t 0.1 -s 1e8 --threads 2", 1.5, SIGINT, out, err);
  CHECK(rc == 130);
  auto j = nlohmann::json::parse(slurp(out));
  CHECK(j["partial"] == true);
  CHECK(j["samples_done"].get<double>() > 0);
  CHECK(j["samples_done"].get<double>() < 1e8);
  CHECK(j["layers"][31]["count"] == j["samples_done"]);
  std::remove(out.c_str());
  std::remove(err.c_str());
}

TEST_CASE("mc --checkpoint: killed with SIGKILL at any moment and resumed, the same JSON") {
  const std::string ck = tmp("kill.ckpt"), out = tmp("kill.out"), err = tmp("kill.err");
  std::filesystem::remove(ck);
  // about 2-3 s of work on one thread; a checkpoint every 50 ms
  const std::string args = "--json mc -w 64x20 -t 0.2 -s " + std::string(sanitized() ? "5e4" : "4e5") +
                           " --seed 5 --threads 2 --hist 5";
  const auto t0 = std::chrono::steady_clock::now();
  auto whole = run_relumix(args);
  REQUIRE(whole.code == 0);
  // the kills at fractions of the whole run's time (a sanitized or loaded machine is slower)
  const double T = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  int kills = 0;
  for (double f : {0.3, 0.5, 0.4, 0.8}) {
    auto [rc, secs] = run_and_signal(args + " --checkpoint " + ck + " --checkpoint-every 0.05", f * T, SIGKILL, out, err);
    if (rc == 0) break;  // finished before the kill
    CHECK(rc == 128 + SIGKILL);
    ++kills;
  }
  CHECK(kills >= 1);
  auto resumed = run_relumix(args + " --checkpoint " + ck + " --checkpoint-every 0.05");
  REQUIRE(resumed.code == 0);
  CHECK(without_seconds(resumed.json()) == without_seconds(whole.json()));
  // a finished checkpoint: the same result again, at once
  auto again = run_relumix(args + " --checkpoint " + ck);
  CHECK(without_seconds(again.json()) == without_seconds(whole.json()));
  // Ctrl-C flushes a checkpoint that resumes to the same result
  std::filesystem::remove(ck);
  auto [rc, secs] = run_and_signal(args + " --checkpoint " + ck + " --checkpoint-every 100", 0.6, SIGINT, out, err);
  if (rc == 130) {
    auto j = nlohmann::json::parse(slurp(out));
    CHECK(j["partial"] == true);
  }
  auto after_int = run_relumix(args + " --checkpoint " + ck);
  CHECK(without_seconds(after_int.json()) == without_seconds(whole.json()));
  std::filesystem::remove(ck);
  std::remove(out.c_str());
  std::remove(err.c_str());
}

TEST_CASE("mc --checkpoint: other runs, truncated files and write errors get one line, the checkpoint survives") {
  const std::string ck = tmp("bad.ckpt");
  std::filesystem::remove(ck);
  auto first = run_relumix("mc -w 32x3 -t 0.5 -s 2000 --checkpoint " + ck);
  REQUIRE(first.code == 0);
  const std::string good = slurp(ck);
  // another run
  auto other = run_relumix("mc -w 32x3 -t 0.5 -s 3000 --checkpoint " + ck);
  CHECK(other.code == 2);
  CHECK(other.err_lines() == 1);
  CHECK(other.err.find("another run (samples 2000 there, 3000 here)") != std::string::npos);
  auto other_w = run_relumix("mc -w 32x4 -t 0.5 -s 2000 --checkpoint " + ck);
  CHECK(other_w.code == 2);
  CHECK(other_w.err.find("widths 32x3 there, 32x4 here") != std::string::npos);
  CHECK(slurp(ck) == good);  // untouched
  // truncated
  {
    std::ofstream f(ck, std::ios::trunc | std::ios::binary);
    f << good.substr(0, good.size() - 100);
  }
  CHECK_BAD_INPUT("mc -w 32x3 -t 0.5 -s 2000 --checkpoint " + ck);
  auto t = run_relumix("mc -w 32x3 -t 0.5 -s 2000 --checkpoint " + ck);
  CHECK(t.err.find("truncated") != std::string::npos);
  // a file size limit (a full disk) while writing: one line, and the previous checkpoint is intact
  {
    std::ofstream f(ck, std::ios::trunc | std::ios::binary);
    f << good;
  }
  auto full = run_relumix("mc -w 2 -t 1 -s 1 >/dev/null; ulimit -f 1; " + std::string(RELUMIX_BIN) +
                          " mc -w 32x3 -t 0.5 -s 20000 --checkpoint " + ck + ".full");
  CHECK(full.code == 2);
  CHECK(full.err_lines() == 1);
  CHECK(full.err.find("cannot write the checkpoint") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(ck + ".full"));  // no broken file left behind
  // an existing resumable checkpoint is never replaced by a broken one: resume under the limit
  run_relumix("mc -w 32x3 -t 0.5 -s 2000 --checkpoint " + ck + " 2>/dev/null; ulimit -f 1; " +
                          std::string(RELUMIX_BIN) + " mc -w 32x3 -t 0.5 -s 2000 --checkpoint " + ck);
  CHECK(slurp(ck) == good);
  // a read-only directory (chmod; as root, whom modes do not stop, a read-only tmpfs)
  const std::string ro = tmp("ro");
  std::filesystem::create_directories(ro);
  std::filesystem::permissions(ro, std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
  bool mounted = false;
  if (std::ofstream(ro + "/probe")) {  // modes do not apply (root)
    std::filesystem::remove(ro + "/probe");
    mounted = ::mount("tmpfs", ro.c_str(), "tmpfs", MS_RDONLY, "size=16k") == 0;
  }
  if (!std::ofstream(ro + "/probe")) {
    auto r = run_relumix("mc -w 32x3 -t 0.5 -s 2000 --checkpoint " + ro + "/x.ckpt");
    CHECK(r.code == 2);
    CHECK(r.err_lines() == 1);
    CHECK(r.err.find("cannot write the checkpoint") != std::string::npos);
  } else {
    MESSAGE("no read-only directory available: read-only check skipped");
  }
  if (mounted) ::umount(ro.c_str());
  std::filesystem::permissions(ro, std::filesystem::perms::owner_all);
  std::filesystem::remove_all(ro);
  std::filesystem::remove(ck);
}

TEST_CASE("mc --activation: canonical name in JSON and text, obtuse note, dump of theta, bad input") {
  auto relu = run_relumix("--json mc -w 8x2 -t 1 -s 100");
  REQUIRE(relu.code == 0);
  CHECK(relu.json()["activation"] == "relu");
  // an exact slope in any spelling, printed canonically
  for (const char* spelling : {"leaky:1/10", "leaky:0.1", "leaky:0.10", "leaky:10/100"}) {
    auto r = run_relumix(std::string("--json mc -w 8x2 -t 1 -s 100 --activation ") + spelling);
    REQUIRE(r.code == 0);
    CHECK(r.json()["activation"] == "leaky:0.1");
  }
  auto a = run_relumix("--json mc -w 8x2 -t 1 -s 100 --activation abs");
  REQUIRE(a.code == 0);
  CHECK(a.json()["activation"] == "abs");
  CHECK(a.json()["layers"][0]["theta"]["max"].get<double>() <= 1.5707963267948966);  // |x| >= 0: theta <= pi/2
  // text: the header names a non-ReLU activation (ReLU's header is unchanged); alpha > 0 gets the note
  auto t = run_relumix("mc -w 16x2 -t 2.5 -s 200 --activation leaky:1/2");
  REQUIRE(t.code == 0);
  CHECK(t.out.find("chain mode, leaky:0.5, widths 16x2") != std::string::npos);
  CHECK(t.out.find("the angle can be obtuse") != std::string::npos);
  auto rt = run_relumix("mc -w 16x2 -t 2.5 -s 200");
  CHECK(rt.out.find("chain mode, widths 16x2") != std::string::npos);
  CHECK(rt.out.find("obtuse") == std::string::npos);
  // --dump-layer: theta itself (obtuse values) for alpha > 0
  std::string file = tmp("dump_leaky.csv");
  auto d = run_relumix("--json mc -w 16 -t 2.8 -s 300 --activation leaky:1/2 --dump-layer 1 " + file);
  REQUIRE(d.code == 0);
  std::ifstream f(file);
  REQUIRE(f);
  std::string line;
  double tmax = 0, tsum = 0;
  long ok = 0;
  while (std::getline(f, line)) {
    if (line.find(",ok,") == std::string::npos) continue;
    const double th = std::stod(line.substr(line.rfind(',') + 1));
    tmax = std::max(tmax, th);
    tsum += th;
    ++ok;
  }
  std::remove(file.c_str());
  const auto L = d.json()["layers"][0];
  CHECK(ok == L["count"].get<long>());
  CHECK(tmax == L["theta"]["max"].get<double>());
  CHECK(tmax > 2.0);
  CHECK(tsum / double(ok) == doctest::Approx(L["theta"]["mean"].get<double>()).epsilon(1e-12));
  // network mode carries it too
  auto n = run_relumix("--json mc --mode network -w 6,5 -t 1 -s 50 --activation leaky:-1/4");
  REQUIRE(n.code == 0);
  CHECK(n.json()["activation"] == "leaky:-0.25");
  CHECK(n.json()["layers"][1]["dead"] == 0);
  CHECK_BAD_INPUT("mc -w 8 -t 1 --activation leaky:2");
  CHECK_BAD_INPUT("mc -w 8 -t 1 --activation leaky:-1.5");
  CHECK_BAD_INPUT("mc -w 8 -t 1 --activation leaky:");
  CHECK_BAD_INPUT("mc -w 8 -t 1 --activation tanh");
  CHECK_BAD_INPUT("mc -w 8 -t 1 --activation leaky:1/0");
}
