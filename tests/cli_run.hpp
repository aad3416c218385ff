#pragma once
// Runs the relumix binary for command-line tests: exit code, stdout and stderr.
#include <array>
#include <chrono>
#include <csignal>
#include <thread>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <utility>
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

// the whole content of a file ("" when it cannot be read)
inline std::string slurp(const std::string& file) {
  std::ifstream f(file);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

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

// Starts `relumix args` (stdout to out, stderr to err), sends `sig` after `after` seconds; returns
// the exit status (128 + signal when killed) and the seconds from the signal to the exit.
inline std::pair<int, double> run_and_signal(const std::string& args, double after, int sig, const std::string& out,
                                      const std::string& err) {
  const std::string cmd = "exec " + std::string(RELUMIX_BIN) + " " + args + " >" + out + " 2>" + err;
  const pid_t pid = fork();
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(after));
  kill(pid, sig);
  const auto t0 = std::chrono::steady_clock::now();
  int status = 0;
  waitpid(pid, &status, 0);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), secs};
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
