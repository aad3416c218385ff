#pragma once
// Runs the relumix binary for command-line tests: exit code, stdout and stderr.
#include <array>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

struct CliResult {
  int code = -1;
  std::string out, err;
  nlohmann::json json() const { return nlohmann::json::parse(out); }
  // number of lines in stderr
  int err_lines() const {
    int n = 0;
    for (char c : err) n += c == '\n';
    return n;
  }
};

// args is appended to the binary path verbatim (shell syntax).
inline CliResult run_relumix(const std::string& args) {
  static int counter = 0;
  std::string errfile = "/tmp/relumix_cli_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++) + ".err";
  std::string cmd = std::string(RELUMIX_BIN) + " " + args + " 2>" + errfile;
  CliResult r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf{};
  std::size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  std::ifstream f(errfile);
  std::stringstream ss;
  ss << f.rdbuf();
  r.err = ss.str();
  std::remove(errfile.c_str());
  return r;
}

// Bad input: non-zero exit, exactly one line on stderr starting "relumix: error:", nothing crashed.
#define CHECK_BAD_INPUT(args)                                              \
  do {                                                                     \
    CliResult r_ = run_relumix(args);                                      \
    INFO("relumix " << args << " -> code " << r_.code << ", stderr: " << r_.err); \
    CHECK(r_.code == 2);                                                   \
    CHECK(r_.err_lines() == 1);                                            \
    CHECK(r_.err.rfind("relumix: error:", 0) == 0);                        \
  } while (0)
