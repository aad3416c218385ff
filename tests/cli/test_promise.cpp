// The promise of issue 17, one test case per class: ties rounded exactly, every printed digit
// certified (or printed with its error bound), documented inputs never end in an internal error,
// statistics of nothing, work bounded up front, Ctrl-C within a second, linear input handling,
// every option validated with a message naming the real cause.
#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli_run.hpp"

namespace {

std::string tmp(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("relumix_cli_promise_" + std::to_string(getpid()) + "_" + name))
      .string();
}

}  // namespace

TEST_CASE("class 6: Ctrl-C stops every long command within a second, exit 130") {
  const std::string arch = tmp("arch.txt");
  {
    std::ofstream f(arch);
    for (int i = 0; i < 200000; ++i) f << "a" << i << ": 16x4\n";
  }
  const std::string out = tmp("out"), err = tmp("err");
  for (const std::string& args : std::vector<std::string>{"moment 1000 1000", "moment 1 1 -t 0:pi:10000000", "series 2000 2000 -k 2000",
                           "map-series -k 200", "decay-series -n 16 -k 60", "verify --max 200",
                           "predict --architectures " + arch + " -t 0.5", "mc -w 1000000000x3 -t 0.1 -s 4 -j 2"}) {
    auto [rc, secs] = run_and_signal(args, 0.5, SIGINT, out, err);
    INFO("relumix " << args << ": exit " << rc << " after " << secs << " s, stderr " << slurp(err));
    CHECK(rc == 130);
    CHECK(secs < 1.0);
    CHECK(slurp(err).find("relumix: interrupted\n") != std::string::npos);
    CHECK(slurp(out).empty());
  }
  std::filesystem::remove(arch);
  std::filesystem::remove(out);
  std::filesystem::remove(err);
}
