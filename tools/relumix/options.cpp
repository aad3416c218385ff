#include "options.hpp"

#include <filesystem>
#include <limits>

#include "relumix/io/angles.hpp"
#include "relumix/io/numbers.hpp"

namespace relumix::cli {

namespace {

template <class T>
std::shared_ptr<T> make_opt(CLI::App* sub, const std::string& names, const std::string& help, Need need,
                        const std::string& def, const std::string& type) {
  auto o = std::make_shared<T>();
  o->text = def;
  o->option = sub->add_option(names, o->text, help)->type_name(type);
  if (!def.empty()) o->option->default_str(def);
  if (need == Need::Required) o->option->required();
  return o;
}

std::string range_text(std::uint64_t lo, std::uint64_t hi) { return format_count(lo) + ".." + format_count(hi); }

}  // namespace

std::string Opt::flag() const {
  std::string n = option->get_name();
  return n.empty() ? "option" : n;
}

void Opt::only_if(bool cond, const std::string& when) const {
  require(cond || !given(), flag(), " applies only ", when);
}

const std::string& Opt::choice(const std::vector<std::string>& allowed) const {
  for (const auto& a : allowed)
    if (text == a) return text;
  std::string list;
  for (std::size_t i = 0; i < allowed.size(); ++i)
    list += (i == 0 ? "" : i + 1 == allowed.size() ? " or " : ", ") + allowed[i];
  fail(flag(), ": unknown value '", text, "' (use ", list, ")");
}

std::uint64_t IntOpt::value() const {
  return parse([&](const std::string& t) { return parse_integer(t, lo, hi); });
}

std::vector<long> WidthsOpt::value() const {
  return parse([&](const std::string& t) { return parse_widths(t, min_width, syntax); });
}

Theta AngleOpt::value() const {
  return parse([&](const std::string& t) { return parse_theta_checked(t, lo_open); });
}

std::vector<Theta> AngleOpt::values(long max_count) const {
  return parse([&](const std::string& t) { return parse_thetas(t, lo_open, max_count); });
}

bool AngleOpt::single() const { return text.find_first_of(",:") == std::string::npos; }

std::string OutputFileOpt::value() const {
  return parse([&](const std::string& t) {
    namespace fs = std::filesystem;
    require(!t.empty(), "empty file name");
    std::error_code ec;
    require(!fs::is_directory(t, ec), "'", t, "' is a directory, not a file");
    fs::path dir = fs::path(t).parent_path();
    require(dir.empty() || fs::is_directory(dir, ec), "the directory '", dir.string(), "' does not exist");
    return t;
  });
}

std::shared_ptr<IntOpt> add_integer(CLI::App* sub, const std::string& names, const std::string& help,
                                    std::uint64_t lo, std::uint64_t hi, Need need,
                                    std::optional<std::uint64_t> def) {
  auto o = make_opt<IntOpt>(sub, names, help + " (" + range_text(lo, hi) + ")", need, def ? format_count(*def) : "", "N");
  o->lo = lo;
  o->hi = hi;
  return o;
}

std::shared_ptr<IntOpt> add_width(CLI::App* sub, const std::string& help, Need need, std::uint64_t lo,
                                  std::uint64_t hi) {
  return add_integer(sub, "--width,-n", help, lo, hi, need);
}

std::shared_ptr<WidthsOpt> add_widths(CLI::App* sub, const std::string& help, Need need, const std::string& def,
                                      long min_width, WidthSyntax syntax) {
  auto o = make_opt<WidthsOpt>(sub, "--widths,-w", help, need, def, "WIDTHS");
  o->min_width = min_width;
  o->syntax = syntax;
  return o;
}

std::shared_ptr<IntOpt> add_depth(CLI::App* sub, const std::string& help, Need need, std::uint64_t hi) {
  return add_integer(sub, "--depth,-L", help, 1, hi, need);
}

std::shared_ptr<AngleOpt> add_theta(CLI::App* sub, const std::string& help, Need need, bool lo_open,
                                    const std::string& def) {
  auto o = make_opt<AngleOpt>(sub, "--theta,-t", help, need, def, "ANGLE");
  o->lo_open = lo_open;
  return o;
}

std::shared_ptr<AngleOpt> add_theta0(CLI::App* sub, const std::string& help, Need need, const std::string& def) {
  auto o = make_opt<AngleOpt>(sub, "--theta0,-t", help, need, def, "ANGLE");
  o->lo_open = true;
  return o;
}

std::shared_ptr<IntOpt> add_samples(CLI::App* sub, std::uint64_t def, std::uint64_t lo, std::uint64_t hi,
                                    const std::string& help) {
  return add_integer(sub, "--samples,-s", help.empty() ? "Monte Carlo samples" : help, lo, hi, Need::Optional, def);
}

std::shared_ptr<IntOpt> add_seed(CLI::App* sub) {
  return add_integer(sub, "--seed", "random seed (same seed, same numbers)", 0,
                     std::numeric_limits<std::uint64_t>::max(), Need::Optional, 1);
}

std::shared_ptr<IntOpt> add_threads(CLI::App* sub) {
  auto o = add_integer(sub, "--threads,-j", "worker threads (default: all cores; results do not depend on it)", 1,
                       std::uint64_t(kMaxThreads), Need::Optional);
  return o;
}

std::shared_ptr<IntOpt> add_digits(CLI::App* sub, std::uint64_t def, std::uint64_t max) {
  return add_integer(sub, "--digits,-d", "significant digits, all correct", 1, max, Need::Optional, def);
}

std::shared_ptr<IntOpt> add_order(CLI::App* sub, const std::string& help, std::uint64_t def, std::uint64_t hi) {
  return add_integer(sub, "--order", help, 1, hi, Need::Optional, def);
}

std::shared_ptr<IntOpt> add_degree(CLI::App* sub, const std::string& help, std::uint64_t def, std::uint64_t lo,
                                   std::uint64_t hi) {
  return add_integer(sub, "--degree,-k", help, lo, hi, Need::Optional, def);
}

std::shared_ptr<FlagOpt> add_flag(CLI::App* sub, const std::string& names, const std::string& help) {
  auto o = std::make_shared<FlagOpt>();
  o->option = sub->add_flag(names, o->on, help);
  return o;
}

std::shared_ptr<FlagOpt> add_mc(CLI::App* sub, const std::string& help) { return add_flag(sub, "--mc", help); }

std::shared_ptr<Opt> add_text(CLI::App* sub, const std::string& names, const std::string& help, Need need,
                              const std::string& def, const std::string& type) {
  return make_opt<Opt>(sub, names, help, need, def, type);
}

std::shared_ptr<OutputFileOpt> add_output_file(CLI::App* sub, const std::string& names, const std::string& help) {
  return make_opt<OutputFileOpt>(sub, names, help, Need::Optional, "", "FILE");
}

Activation ActivationOpt::value() const {
  return parse([](const std::string& t) { return parse_activation(t); });
}

void ActivationOpt::relu_only(const std::string& why) const {
  if (given() && !value().is_relu()) throw InputError(flag() + ": " + why);
}

std::shared_ptr<ActivationOpt> add_activation(CLI::App* sub, const std::string& help) {
  return make_opt<ActivationOpt>(
      sub, "--activation",
      help.empty() ? "relu, abs or leaky:ALPHA (ALPHA exact in [-1, 1], e.g. 0.01 or 1/10): phi(x) = max(x, 0) + ALPHA min(x, 0)"
                   : help,
      Need::Optional, "relu", "F");
}

}  // namespace relumix::cli
