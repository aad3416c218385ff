#pragma once
// One option builder per concept, shared by every command (docs/cli.md, "Options"), so that a
// flag means the same everywhere and is read by the same parser (lib io/):
//   --widths,-w  a width list          --width,-n  one width          --depth,-L  a depth
//   --theta,-t   an angle (one layer, a moment)   --theta0,-t  the input angle of a network
//   --samples,-s --seed  --threads,-j  --digits,-d  --order (1/n)  --degree,-k (powers of theta)
//   --mc (a flag: add a Monte Carlo of --samples samples)  and files.
// A builder adds the option to a subcommand and returns a handle; the command reads the value
// when it runs (handle->value()), so that every error reads "--flag: <the parser's message>" and
// exits with 2. Options are kept as text until then: CLI11 never converts a number itself (it
// would read 0x10 as hexadecimal).
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli.hpp"
#include "relumix/core/error.hpp"
#include "relumix/core/limits.hpp"
#include "relumix/io/widths.hpp"
#include "relumix/moments/activation.hpp"
#include "relumix/numeric/theta.hpp"

namespace relumix::cli {

enum class Need { Optional, Required };

// An option kept as text until the command runs.
class Opt {
 public:
  std::string text;  // as given, or the default
  CLI::Option* option = nullptr;

  bool given() const { return option->count() > 0; }
  // The flag as users write it: "--widths" (or the positional's name, "A").
  std::string flag() const;
  // f(text), with the flag put in front of any InputError's message.
  template <class F>
  decltype(auto) parse(F&& f) const {
    try {
      return f(text);
    } catch (const InputError& e) {
      throw InputError(flag() + ": " + e.what());
    }
  }
  // InputError "--flag applies only <when>" if the option is given although cond is false.
  void only_if(bool cond, const std::string& when) const;
  // The text if it is one of `allowed`; InputError listing them otherwise.
  const std::string& choice(const std::vector<std::string>& allowed) const;
};

// A whole number in [lo, hi] (io/numbers.hpp grammar).
class IntOpt : public Opt {
 public:
  std::uint64_t lo = 0, hi = 0;
  std::uint64_t value() const;
  // value(), or fallback when the option has neither been given nor a default
  std::uint64_t value_or(std::uint64_t fallback) const { return !given() && text.empty() ? fallback : value(); }
  template <class T>
  T as() const {
    return T(value());
  }
};

class WidthsOpt : public Opt {
 public:
  long min_width = 2;
  WidthSyntax syntax = WidthSyntax::Layers;
  std::vector<long> value() const;
};

class AngleOpt : public Opt {
 public:
  bool lo_open = false;  // (0, pi] instead of [0, pi]
  Theta value() const;
  // a list or grid (moment --theta, accuracy --theta)
  std::vector<Theta> values(long max_count = kMaxAngles) const;
  // true when the text is one angle, not a list or a grid
  bool single() const;
};

class FlagOpt : public Opt {
 public:
  bool on = false;
  bool value() const { return on; }
};

// --activation F: relu (the default), abs or leaky:ALPHA (moments/activation.hpp)
class ActivationOpt : public Opt {
 public:
  Activation value() const;
  // For a command that answers for ReLU only: InputError naming `why` if a non-ReLU activation is given.
  void relu_only(const std::string& why) const;
};

// A file to write: its directory must exist (nothing is created on the way).
class OutputFileOpt : public Opt {
 public:
  std::string value() const;  // InputError unless writable in principle
};

// -------- the builders (names and meanings decided once: see the top of this file)
std::shared_ptr<IntOpt> add_integer(CLI::App* sub, const std::string& names, const std::string& help,
                                    std::uint64_t lo, std::uint64_t hi, Need need,
                                    std::optional<std::uint64_t> def = std::nullopt);
// --width,-n: the width n of one layer (2..kMaxWidth unless lo/hi say otherwise)
std::shared_ptr<IntOpt> add_width(CLI::App* sub, const std::string& help, Need need, std::uint64_t lo = 2,
                                  std::uint64_t hi = std::uint64_t(kMaxWidth));
// --widths,-w: the widths of layers 1..L (io/widths.hpp); def = "" for none
std::shared_ptr<WidthsOpt> add_widths(CLI::App* sub, const std::string& help, Need need, const std::string& def = "",
                                      long min_width = 2, WidthSyntax syntax = WidthSyntax::Layers);
// --depth,-L: the number of layers
std::shared_ptr<IntOpt> add_depth(CLI::App* sub, const std::string& help, Need need, std::uint64_t hi);
// --theta,-t: the angle of a one-layer or moment question
std::shared_ptr<AngleOpt> add_theta(CLI::App* sub, const std::string& help, Need need, bool lo_open,
                                    const std::string& def = "");
// --theta0,-t: the input angle of a network, in (0, pi]
std::shared_ptr<AngleOpt> add_theta0(CLI::App* sub, const std::string& help, Need need, const std::string& def = "");
// --samples,-s: Monte Carlo samples, lo..hi
std::shared_ptr<IntOpt> add_samples(CLI::App* sub, std::uint64_t def, std::uint64_t lo = 1,
                                    std::uint64_t hi = kMcMaxSamples, const std::string& help = "");
// --seed: 0..2^64-1, default 1
std::shared_ptr<IntOpt> add_seed(CLI::App* sub);
// --threads,-j: 1..kMaxThreads; read it with value_or(0) (0 = all cores)
std::shared_ptr<IntOpt> add_threads(CLI::App* sub);
// --digits,-d: certified significant digits, 1..max
std::shared_ptr<IntOpt> add_digits(CLI::App* sub, std::uint64_t def = 30, std::uint64_t max = kMaxDigits);
// --order: the order in 1/n, 1..kMaxCumulantOrder (1 = the paper's O(1/n) form)
std::shared_ptr<IntOpt> add_order(CLI::App* sub, const std::string& help, std::uint64_t def = 1,
                                  std::uint64_t hi = kMaxCumulantOrder);
// --degree,-k: the highest power of theta of a theta-series, lo..hi
std::shared_ptr<IntOpt> add_degree(CLI::App* sub, const std::string& help, std::uint64_t def, std::uint64_t lo,
                                   std::uint64_t hi);
// --mc: add a Monte Carlo (its size is --samples)
std::shared_ptr<FlagOpt> add_mc(CLI::App* sub, const std::string& help);
// a flag of one command
std::shared_ptr<FlagOpt> add_flag(CLI::App* sub, const std::string& names, const std::string& help);
// a text option of one command (a choice, a name): read it with parse()
std::shared_ptr<Opt> add_text(CLI::App* sub, const std::string& names, const std::string& help, Need need,
                              const std::string& def = "", const std::string& type = "TEXT");
// --activation: the activation phi_alpha, default relu
std::shared_ptr<ActivationOpt> add_activation(CLI::App* sub, const std::string& help = "");
// a file the command writes (--markdown FILE, --plot FILE.svg)
std::shared_ptr<OutputFileOpt> add_output_file(CLI::App* sub, const std::string& names, const std::string& help);

}  // namespace relumix::cli
