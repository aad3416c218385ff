// relumix: arbitrary-precision symbolic and combinatorial calculator for ReLU networks
// at initialization. See docs/cli.md.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <thread>
#include <unistd.h>

#include "cli.hpp"
#include "relumix/core/error.hpp"
#include "relumix/core/interrupt.hpp"

namespace {

constexpr char kInterrupted[] = "relumix: interrupted\n";
std::atomic<int> g_sigints{0};

// SIGINT asks every loop to stop (relumix::throw_if_stopped); a second Ctrl-C exits at once.
void on_sigint(int) {
  relumix::request_stop();
  if (g_sigints.fetch_add(1) >= 1) {
    (void)!write(2, kInterrupted, sizeof kInterrupted - 1);
    _exit(130);
  }
}

// The backstop: the library's loops poll the stop flag and unwind within a second (tests check
// that); should any computation not poll, the process still ends 2 s after Ctrl-C, the same way.
// Files are never left half-written by this: every file relumix writes is written atomically or
// is an output the user asked for and will rerun.
void start_backstop() {
  std::thread([] {
    using namespace std::chrono_literals;
    while (!relumix::stop_requested()) std::this_thread::sleep_for(20ms);
    std::this_thread::sleep_for(2s);
    (void)!write(2, kInterrupted, sizeof kInterrupted - 1);
    _exit(130);
  }).detach();
}

// Under MPI (relumix-mpi) only rank 0 reports, so that R ranks print one line, not R. The rank
// comes from the launcher's environment: errors may come before MPI_Init.
bool reporting_rank() {
#ifdef RELUMIX_WITH_MPI
  for (const char* v : {"OMPI_COMM_WORLD_RANK", "PMI_RANK"})
    if (const char* r = std::getenv(v)) return std::string(r) == "0";
#endif
  return true;
}

// CLI11 messages may span lines; the contract is one line.
std::string one_line(std::string s) {
  for (auto& ch : s)
    if (ch == '\n' || ch == '\r') ch = ' ';
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app;
  relumix::cli::setup_app(app);
  std::signal(SIGINT, on_sigint);
  std::signal(SIGTERM, on_sigint);  // schedulers (Slurm, mpirun) stop jobs with SIGTERM: end the same way
  start_backstop();
  try {
    // the first word that is not an option must name a command (CLI11 would only say one is required)
    for (int i = 1; i < argc; ++i) {
      std::string w = argv[i];
      if (w.empty() || w[0] == '-') continue;
      try {
        app.get_subcommand(w);
      } catch (const CLI::OptionNotFound&) {
        throw relumix::InputError("unknown command '" + w + "' (see relumix --help for the list)");
      }
      break;
    }
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::RuntimeError& e) {  // a command's own failure status (e.g. verify)
    return e.get_exit_code();
  } catch (const CLI::ParseError& e) {
    if (reporting_rank()) std::cerr << "relumix: error: " << one_line(e.what()) << " (see relumix --help)\n";
    return 2;
  } catch (const relumix::InputError& e) {
    if (reporting_rank()) std::cerr << "relumix: error: " << one_line(e.what()) << "\n";
    return 2;
  } catch (const relumix::Interrupted&) {
    if (reporting_rank()) std::cerr << kInterrupted;
    return 130;
  } catch (const std::bad_alloc&) {  // a limit is missing (core/limits.hpp): a defect, reported as one
    if (reporting_rank()) std::cerr << "relumix: internal error: out of memory\n";
    return 3;
  } catch (const std::exception& e) {
    if (reporting_rank()) std::cerr << "relumix: internal error: " << one_line(e.what()) << "\n";
    return 3;
  }
  return 0;
}
