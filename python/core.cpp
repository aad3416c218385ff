// relumix._core: the Python binding of the library (pybind11). A thin layer: it converts
// arguments (checking their ranges where the command line's option parsers would), calls the
// library and converts the results (the library's JSON reports become dicts, arrays become numpy
// arrays). No mathematics here. Long calls release the GIL and turn Ctrl-C into KeyboardInterrupt
// (the library polls stop_requested(); see Released below); relumix::InputError becomes ValueError
// with the library's message.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <limits>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "relumix/angle/angle.hpp"
#include "relumix/angle/arccos_kernel.hpp"
#include "relumix/angle/activation_map.hpp"
#include "relumix/angle/report.hpp"
#include "relumix/check/compare.hpp"
#include "relumix/collapse/report.hpp"
#include "relumix/core/error.hpp"
#include "relumix/core/interrupt.hpp"
#include "relumix/core/limits.hpp"
#include "relumix/io/angles.hpp"
#include "relumix/io/widths.hpp"
#include "relumix/mc/mc.hpp"
#include "relumix/moments/activation.hpp"
#include "relumix/moments/eval.hpp"
#include "relumix/moments/moments.hpp"
#include "relumix/moments/report.hpp"
#include "relumix/moments/verify.hpp"
#include "relumix/predict/predict.hpp"
#include "relumix/predict/report.hpp"

namespace py = pybind11;
using Json = nlohmann::ordered_json;
using namespace relumix;

namespace {

// ---------------------------------------------------------------- Ctrl-C while the GIL is released
// While a call runs, SIGINT goes to a handler that asks the library to stop (request_stop()); the
// previous handler (Python's) is restored when the last running call ends, and the call raises
// KeyboardInterrupt. A SIGINT that arrives after the computation finished still raises it.
std::mutex g_sig_mutex;
int g_active = 0;
struct sigaction g_old_action;
std::atomic<bool> g_got_sigint{false};

extern "C" void on_sigint(int) {
  g_got_sigint.store(true);
  request_stop();
}

class SigintScope {
 public:
  SigintScope() {
    std::lock_guard lock(g_sig_mutex);
    if (g_active++ == 0) {
      struct sigaction sa{};
      sa.sa_handler = on_sigint;
      sigemptyset(&sa.sa_mask);
      sigaction(SIGINT, &sa, &g_old_action);
    }
  }
  // true when a SIGINT arrived during the call
  bool finish() {
    if (done_) return false;
    done_ = true;
    std::lock_guard lock(g_sig_mutex);
    bool got = g_got_sigint.load();
    if (--g_active == 0) {
      sigaction(SIGINT, &g_old_action, nullptr);
      g_got_sigint.store(false);
      stop_flag().store(false);
    }
    return got;
  }
  ~SigintScope() { finish(); }

 private:
  bool done_ = false;
};

[[noreturn]] void raise_keyboard_interrupt() {
  PyErr_SetNone(PyExc_KeyboardInterrupt);
  throw py::error_already_set();
}

// f() without the GIL, interruptible by Ctrl-C.
template <class F>
auto released(F&& f) -> decltype(f()) {
  using R = decltype(f());
  SigintScope scope;
  std::optional<R> r;
  bool stopped = false;
  {
    py::gil_scoped_release release;
    try {
      r.emplace(f());
    } catch (const Interrupted&) {
      stopped = true;
    }
  }
  if (scope.finish() || stopped) raise_keyboard_interrupt();
  return std::move(*r);
}

// ---------------------------------------------------------------- conversions
py::object to_py(const Json& j) {
  switch (j.type()) {
    case Json::value_t::null: return py::none();
    case Json::value_t::boolean: return py::bool_(j.get<bool>());
    case Json::value_t::number_integer: return py::int_(j.get<std::int64_t>());
    case Json::value_t::number_unsigned: return py::int_(j.get<std::uint64_t>());
    case Json::value_t::number_float: return py::float_(j.get<double>());
    case Json::value_t::string: return py::str(j.get_ref<const std::string&>());
    case Json::value_t::array: {
      py::list l;
      for (const auto& e : j) l.append(to_py(e));
      return l;
    }
    case Json::value_t::object: {
      py::dict d;
      for (auto it = j.begin(); it != j.end(); ++it) d[py::str(it.key())] = to_py(it.value());
      return d;
    }
    default: return py::none();
  }
}

template <class T>
T in_range(const char* name, long long v, long long lo, long long hi) {
  require(v >= lo && v <= hi, name, " = ", v, " is outside ", lo, "..", hi);
  return T(v);
}

bool is_text(const py::handle& h) { return py::isinstance<py::str>(h); }

// An angle: text in the CLI's grammar ("pi/3", "1e-12", "pi-1e-20") or a float (its exact binary
// value), checked to lie in [0, pi] ((0, pi] with lo_open), as the command line checks --theta.
Theta theta_of(const py::handle& h, bool lo_open) {
  if (is_text(h)) return parse_theta_checked(h.cast<std::string>(), lo_open);
  require(py::isinstance<py::float_>(h) || py::isinstance<py::int_>(h) || py::hasattr(h, "__float__"),
          "an angle must be a float or a string such as \"pi/3\"");
  const double x = h.cast<double>();
  require(std::isfinite(x), "angle ", x, " is not a finite number");
  Theta t = exact_theta(x);
  t.text = py::repr(h).cast<std::string>();  // the float as Python prints it (the value stays exact binary)
  const char* range = lo_open ? "(0, pi]" : "[0, pi]";
  require(x > 0 || (x == 0 && !lo_open), "angle ", t.text, " is outside ", range);
  require(t.compare_pi_multiple(1) <= 0, "angle ", t.text, " is outside ", range, " (pi = 3.14159...)");
  return t;
}

// widths: "256x32" (the CLI's grammar) or a sequence of ints
std::vector<long> widths_of(const py::handle& h, long min_width) {
  if (is_text(h)) return parse_widths(h.cast<std::string>(), min_width);
  std::vector<long> w;
  for (const auto& e : h) {
    require(py::isinstance<py::int_>(e), "widths must be a string such as \"256x32\" or a sequence of ints");
    long long v = e.cast<long long>();
    require(v >= min_width && v <= kMaxWidth, "width ", v, " is outside ", min_width, "..", kMaxWidth);
    w.push_back(long(v));
    require(long(w.size()) <= kMaxLayers, "more than ", kMaxLayers, " layers");
  }
  require(!w.empty(), "empty width list");
  return w;
}

py::array_t<double> as_double_array(const py::handle& h) {
  return py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(h);
}

// ---------------------------------------------------------------- the functions
py::object closed_form_py(long long a, long long b, const std::string& activation) {
  unsigned A = in_range<unsigned>("a", a, 0, kMaxMomentOrder), B = in_range<unsigned>("b", b, 0, kMaxMomentOrder);
  require(A + B <= kMaxMomentOrder, "A+B = ", A + B, " is too large (at most ", kMaxMomentOrder, ")");
  const Activation act = parse_activation(activation);
  if (!act.is_relu())
    return to_py(released([&] {
      ActivationClosedForm cf = activation_closed_form(act, A, B);
      Json r = activation_closed_form_json(cf);
      r["latex"] = activation_closed_form_latex(cf);
      return r;
    }));
  Json j = released([&] {
    const ClosedForm& cf = closed_form(A, B);
    Json r = closed_form_json(cf);
    r["latex"] = closed_form_latex(cf);
    return r;
  });
  return to_py(j);
}

py::object J_py(long long a, long long b, const py::object& theta, std::optional<long long> digits) {
  unsigned A = in_range<unsigned>("a", a, 0, kMaxMomentOrder), B = in_range<unsigned>("b", b, 0, kMaxMomentOrder);
  require(A + B <= kMaxMomentOrder, "A+B = ", A + B, " is too large (at most ", kMaxMomentOrder, ")");
  if (digits) {
    int d = in_range<int>("digits", *digits, 1, kMaxDigits);
    require(is_text(theta) || py::isinstance<py::float_>(theta) || py::isinstance<py::int_>(theta),
            "digits applies to one angle (a float or a string such as \"pi/3\"), not to an array");
    Theta t = theta_of(theta, false);
    // a few hundred digits take microseconds: no GIL release or signal handler for them (per-call overhead)
    if (d <= 300 && A + B <= 50) return py::str(moment_value(A, B, t, d));
    std::string v = released([&] { return moment_value(A, B, t, d); });
    return py::str(v);
  }
  if (is_text(theta)) {
    Theta t = theta_of(theta, false);
    return py::float_(released([&] { return moment_double(A, B, t.to_double()); }));
  }
  if (py::isinstance<py::float_>(theta) || py::isinstance<py::int_>(theta)) {
    double x = theta.cast<double>();
    return py::float_(moment_double(A, B, x));  // short: no GIL release
  }
  py::array_t<double> in = as_double_array(theta);
  py::array_t<double> out(std::vector<py::ssize_t>(in.shape(), in.shape() + in.ndim()));
  std::span<const double> src(in.data(), std::size_t(in.size()));
  std::span<double> dst(out.mutable_data(), std::size_t(out.size()));
  released([&] {
    moment_double(A, B, src, dst);
    return 0;
  });
  return out;
}

py::object series_py(long long a, long long b, long long order, const std::string& activation) {
  unsigned A = in_range<unsigned>("a", a, 0, kMaxMomentOrder), B = in_range<unsigned>("b", b, 0, kMaxMomentOrder);
  unsigned K = in_range<unsigned>("order", order, 0, kMaxMomentOrder);
  require(A + B <= kMaxMomentOrder, "A+B = ", A + B, " is too large (at most ", kMaxMomentOrder, ")");
  const Activation act = parse_activation(activation);
  return to_py(released([&] {
    if (act.is_relu()) return series_json(taylor_series(A, B, K));
    Json j = series_json(activation_taylor_series(act, A, B, K));
    j["activation"] = act.name();
    return j;
  }));
}

// M^alpha_{a,b}(theta) to `digits` certified digits (as `relumix moment A B --activation F -t T -d D`):
// a str for one angle, a list of str for a list of angles.
py::object moment_py(long long a, long long b, const py::object& theta, long long digits, const std::string& activation) {
  unsigned A = in_range<unsigned>("a", a, 0, kMaxMomentOrder), B = in_range<unsigned>("b", b, 0, kMaxMomentOrder);
  require(A + B <= kMaxMomentOrder, "A+B = ", A + B, " is too large (at most ", kMaxMomentOrder, ")");
  int d = in_range<int>("digits", digits, 1, kMaxDigits);
  const Activation act = parse_activation(activation);
  auto one = [&](const Theta& t) {
    return act.is_relu() ? moment_value(A, B, t, d) : activation_moment_value(act, A, B, t, d);
  };
  if (is_text(theta) || py::isinstance<py::float_>(theta) || py::isinstance<py::int_>(theta)) {
    Theta t = theta_of(theta, false);
    return py::str(released([&] { return one(t); }));
  }
  std::vector<Theta> ts;
  for (const py::handle& h : theta) ts.push_back(theta_of(h, false));
  require(ts.size() <= std::size_t(kMaxAngles), "too many angles: ", ts.size(), " (at most ", kMaxAngles, ")");
  std::vector<std::string> vs = released([&] {
    return act.is_relu() ? moment_values(A, B, ts, d) : activation_moment_values(act, A, B, ts, d);
  });
  py::list out;
  for (auto& v : vs) out.append(py::str(v));
  return out;
}

py::object verify_py(long long max, const std::string& activation) {
  unsigned m = in_range<unsigned>("max", max, 0, kMaxVerifyOrder);
  const Activation act = parse_activation(activation);
  return to_py(released([&] {
    if (act.is_relu()) return verify_json(verify_identities(m));
    Json j = verify_json(verify_activation_identities(act, m));
    j["activation"] = act.name();
    return j;
  }));
}

py::object angle_py(long long width, const py::object& theta, long long order, long long digits,
                    const std::string& activation) {
  auto n = in_range<std::uint64_t>("width", width, 2, (long long)kMaxExactWidth);
  int K = in_range<int>("order", order, 1, kMaxCumulantOrder), d = in_range<int>("digits", digits, 1, kMaxAngleDigits);
  Theta t = theta_of(theta, true);
  const Activation act = parse_activation(activation);
  return to_py(released([&] { return angle_json(n, t, d, K, act); }));
}

py::tuple mu_sigma2_py(double width, const py::object& theta, long long order) {
  require(std::isfinite(width) && width >= 2, "width ", width, " must be at least 2");
  int K = in_range<int>("order", order, 1, kMaxCumulantOrder);
  py::array_t<double> in = as_double_array(theta);
  std::vector<py::ssize_t> shape(in.shape(), in.shape() + in.ndim());
  py::array_t<double> mu(shape), s2(shape);
  const double* t = in.data();
  double *m = mu.mutable_data(), *s = s2.mutable_data();
  const std::size_t N = std::size_t(in.size());
  for (std::size_t i = 0; i < N; ++i)
    require(std::isfinite(t[i]) && t[i] > 0 && t[i] <= M_PI, "theta[", i, "] = ", t[i], " is outside (0, pi]");
  released([&] {
    mu_sigma2_double({t, N}, width, K, {m, N}, {s, N});
    return 0;
  });
  return py::make_tuple(mu, s2);
}

// predict: None -> the library's default (PredictOptions{}), the CLI's behaviour with no flags.
py::dict predict_py(const py::object& widths_obj, const py::object& theta0, std::optional<std::string> method,
                    std::optional<std::string> model, std::optional<long long> order, std::optional<bool> full_mean,
                    std::optional<bool> full_variance, std::optional<long long> grid, bool density,
                    const std::string& activation) {
  std::vector<long> widths = widths_of(widths_obj, 2);
  Theta t0 = theta_of(theta0, true);
  PredictOptions o;
  o.activation = parse_activation(activation);
  if (method) o.method = parse_predict_method(*method);
  const bool dens = o.method == PredictMethod::Density, mean_or_dens = dens || o.method == PredictMethod::Full;
  if (model) {
    require(mean_or_dens, "model applies only to the methods full and density");
    o.model = parse_predict_model(*model);
  }
  if (order) {
    require(mean_or_dens, "order applies only to the methods full and density");
    o.order = in_range<int>("order", *order, 1, kMaxCumulantOrder);
  }
  if (grid) {
    require(dens, "grid applies only to the method density");
    o.grid_points = in_range<int>("grid", *grid, 3, kMaxGridPoints);
  }
  require((dens && o.model == PredictModel::PaperLinear) || (!full_mean && !full_variance),
          "full_mean and full_variance apply only to the method density with model paper-linear");
  require(dens || !density, "density=True needs the method density");
  o.full_mean = full_mean.value_or(false);
  o.full_variance = full_variance.value_or(false);
  o = effective_options(o);  // as the command line: paper-linear at order K > 1 without full_*: both
  o.keep_densities = density;
  Prediction p = released([&] { return predict(widths, t0, o); });

  py::dict r;
  r["widths"] = widths;
  r["depth"] = widths.size();
  r["theta0"] = t0.text;
  if (!o.activation.is_relu()) r["activation"] = o.activation.name();
  r["method"] = method_name(o.method);
  const Json settings = predict_settings_json(o);
  for (auto it = settings.begin(); it != settings.end(); ++it) r[py::str(it.key())] = to_py(it.value());
  if (dens) {
    r["grid_points"] = p.grid_points;
    r["grid_lo"] = p.grid_lo;
    r["grid_hi"] = p.grid_hi;
  }
  const std::size_t L = p.layers.size();
  py::array_t<long> layer(L);
  py::array_t<double> theta(L), mean(L), sd(L), q05(L), q50(L), q95(L);
  bool has_sd = false;
  for (std::size_t i = 0; i < L; ++i) {
    const auto& e = p.layers[i];
    layer.mutable_at(i) = e.layer;
    theta.mutable_at(i) = e.theta_mean;
    mean.mutable_at(i) = e.mean;
    const bool s = e.sd >= 0;
    has_sd = has_sd || s;
    const double nan = std::nan("");
    sd.mutable_at(i) = s ? e.sd : nan;
    q05.mutable_at(i) = s ? e.q05 : nan;
    q50.mutable_at(i) = s ? e.q50 : nan;
    q95.mutable_at(i) = s ? e.q95 : nan;
  }
  r["layer"] = layer;
  r["theta"] = theta;
  r["mean"] = mean;
  if (has_sd) {
    r["sd"] = sd;
    r["q05"] = q05;
    r["q50"] = q50;
    r["q95"] = q95;
  }
  // the accurate model's excluded mass and error estimates (as the CLI's JSON, where it has them)
  auto optional_column = [&](const char* name, double LayerPrediction::*field) {
    bool any = false;
    py::array_t<double> c(L);
    for (std::size_t i = 0; i < L; ++i) {
      const double v = p.layers[i].*field;
      any = any || v >= 0;
      c.mutable_at(i) = v >= 0 ? v : std::nan("");
    }
    if (any) r[name] = c;
  };
  optional_column("p_excluded", &LayerPrediction::p_excluded);
  optional_column("mean_error", &LayerPrediction::mean_error);
  optional_column("sd_error", &LayerPrediction::sd_error);
  if (density) {
    require(!p.density.empty(), "the densities were not kept (layers x grid points above ", kMaxKeptValues, ")");
    const std::size_t G = p.grid.size();
    py::array_t<double> g(G), cell(G), dn(std::vector<py::ssize_t>{py::ssize_t(L), py::ssize_t(G)});
    std::copy(p.grid.begin(), p.grid.end(), g.mutable_data());
    std::copy(p.cell.begin(), p.cell.end(), cell.mutable_data());
    for (std::size_t l = 0; l < L; ++l) std::copy(p.density[l].begin(), p.density[l].end(), dn.mutable_data() + l * G);
    r["grid"] = g;
    r["cell"] = cell;
    r["density"] = dn;
  }
  return r;
}

// mc: the library's run with the options the CLI sets (chain mode, ReLU unless given), so the
// same seed gives the same bits as `relumix mc --json`.
py::dict mc_py(const py::object& widths_obj, const py::object& theta0, long long samples, long long seed,
               long long threads, bool keep, const std::string& mode, const std::string& activation, long long hist) {
  McOptions opt;
  opt.mode = parse_mc_mode(mode);
  opt.activation = parse_activation(activation);
  std::vector<long> widths = widths_of(widths_obj, opt.mode == McMode::Chain ? 2 : 1);
  Theta t = theta_of(theta0, true);
  const double th = t.to_double();
  require(th >= kMcMinTheta0, "theta0: ", t.text, " is below 1e-290, where the Monte Carlo reaches subnormal doubles");
  require(samples >= 1 && std::uint64_t(samples) <= kMcMaxSamples, "samples = ", samples, " is outside 1..",
          kMcMaxSamples);
  require(seed >= 0, "seed = ", seed, " is negative");
  opt.samples = std::uint64_t(samples);
  opt.seed = std::uint64_t(seed);
  opt.threads = in_range<int>("threads", threads, 0, kMaxThreads);
  opt.keep = keep;
  opt.hist_bins = hist == 0 ? 0 : in_range<int>("hist", hist, 1, kMaxHistogramBins);
  McResult r = released([&] { return run_mc(widths, th, opt); });
  py::dict d = to_py(mc_to_json(r, t.text));
  if (keep && r.kept) {
    const McRaw& k = *r.kept;
    py::array_t<double> x(std::vector<py::ssize_t>{py::ssize_t(k.layers.size()), py::ssize_t(k.count)});
    std::copy(k.x.begin(), k.x.end(), x.mutable_data());
    d["x"] = x;
  }
  return d;
}

py::object arccos_kernel_py(const py::object& X, const py::object& Y, long long order, long long depth, bool angles) {
  unsigned n = in_range<unsigned>("order", order, 0, kMaxArccosOrder);
  unsigned L = in_range<unsigned>("depth", depth, 1, kMaxArccosDepth);
  auto rows = [](const py::object& o, const char* name) {
    py::array_t<double> a = as_double_array(o);
    if (a.ndim() == 1) a = a.reshape({py::ssize_t(1), a.shape(0)});
    require(a.ndim() == 2, name, " must be a 2-d array (one data vector a row)");
    return a;
  };
  py::array_t<double> x = rows(X, "X");
  std::optional<py::array_t<double>> y;
  if (!Y.is_none()) {
    y = rows(Y, "Y");
    require(y->shape(1) == x.shape(1), "X and Y have rows of different lengths (", x.shape(1), " and ", y->shape(1), ")");
  }
  const std::size_t nx = std::size_t(x.shape(0)), d = std::size_t(x.shape(1));
  const std::size_t ny = y ? std::size_t(y->shape(0)) : nx;
  py::array_t<double> out(std::vector<py::ssize_t>{py::ssize_t(nx), py::ssize_t(ny)});
  const double* px = x.data();
  const double* py_ = y ? y->data() : nullptr;
  double* po = out.mutable_data();
  py::array_t<double> th(angles ? std::vector<py::ssize_t>{py::ssize_t(nx), py::ssize_t(ny)} : std::vector<py::ssize_t>{0});
  double* pt = angles ? th.mutable_data() : nullptr;
  released([&] {
    arccos_kernel(px, nx, py_, ny, d, n, L, po, pt);
    return 0;
  });
  if (angles) return py::make_tuple(out, th);
  return out;
}

py::object map_series_py(long long degree, const py::object& theta0, const std::string& activation) {
  unsigned k = in_range<unsigned>("degree", degree, 1, kMaxMapSeriesDegree);
  std::optional<Theta> t0;
  if (!theta0.is_none()) t0 = theta_of(theta0, true);
  const Activation act = parse_activation(activation);
  return to_py(released([&] {
    if (act.is_relu()) return map_series_json(infinite_map_series(k), k, t0);
    return activation_map_series_json(act, activation_map_series(act, k), k, t0);
  }));
}

py::object decay_series_py(std::optional<long long> width, long long degree, std::optional<long long> order,
                           long long digits, const std::string& activation) {
  unsigned J = in_range<unsigned>("degree", degree, 0, kMaxDecaySeriesDegree);
  int d = in_range<int>("digits", digits, 1, kMaxAngleDigits);
  const Activation act = parse_activation(activation);
  require(act.is_relu() || order, "decay_series(activation=\"", act.name(), "\") gives the double series: give order ",
          "(0..", kMaxCumulantSeriesOrder, "); the one-width form is the paper's ReLU formula");
  if (order) {
    require(!width, "give either width or order, not both");
    unsigned K = in_range<unsigned>("order", *order, 0, kMaxCumulantSeriesOrder);
    return to_py(released([&] {
      Json j = Json::object();
      if (!act.is_relu()) j["activation"] = act.name();
      j.update(decay_double_series_json(decay_double_series(J, K, act), J, K, d));
      return j;
    }));
  }
  require(bool(width), "decay_series needs a width (or an order for the double series)");
  auto n = in_range<std::uint64_t>("width", *width, 2, (long long)kMaxExactWidth);
  return to_py(released([&] { return decay_series_json(n, decay_series(Rational(n), J), J, d); }));
}

py::object collapse_py(long long width, long long depth, long long digits, double bias_std, long long inputs,
                       const py::object& theta0, bool mc, long long samples, long long seed) {
  CollapseRequest req;
  req.width = in_range<long>("width", width, 1, kCollapseMaxWidth);
  req.depth = in_range<long long>("depth", depth, 1, kCollapseMaxDepth);
  req.digits = in_range<int>("digits", digits, 1, kMaxDigits);
  require(std::isfinite(bias_std) && bias_std >= 0 && bias_std <= 1e6, "bias_std = ", bias_std, " is outside 0..1e6");
  req.bias_std = bias_std;
  req.inputs = in_range<int>("inputs", inputs, 1, 2);
  req.theta0 = theta_of(theta0, false);
  req.mc = mc;
  req.samples = in_range<std::uint64_t>("samples", samples, 1, (long long)kMaxSamples);
  req.seed = in_range<std::uint64_t>("seed", seed, 0, std::numeric_limits<long long>::max());
  return to_py(released([&] { return collapse_report(req); }));
}

py::object norm_py(long long width, long long depth, long long digits, bool mc, long long samples, long long seed) {
  long n = in_range<long>("width", width, 1, kNormMaxWidth);
  long long L = in_range<long long>("depth", depth, 1, kNormMaxDepth);
  int d = in_range<int>("digits", digits, 1, kMaxDigits);
  std::uint64_t S = mc ? in_range<std::uint64_t>("samples", samples, 2, (long long)kMaxSamples) : 0;
  std::uint64_t s = in_range<std::uint64_t>("seed", seed, 0, std::numeric_limits<long long>::max());
  return to_py(released([&] { return norm_report(n, L, d, S, s); }));
}

// compare: the CLI's defaults (the paper's figure 1); the dict of `relumix compare --json` without a plot.
py::object compare_py(const py::object& widths_obj, const py::object& theta0, long long samples, long long seed,
                      std::optional<std::string> model, std::optional<long long> order, long long threads,
                      const py::object& methods_obj, const std::string& activation) {
  std::vector<long> widths = widths_of(widths_obj, 2);
  Theta t = theta_of(theta0, true);
  require(t.to_double() >= kMcMinTheta0, "theta0: ", t.text, " is below 1e-290, where the Monte Carlo reaches subnormal doubles");
  std::vector<PredictMethod> methods;
  if (is_text(methods_obj)) methods = parse_predict_methods(methods_obj.cast<std::string>());
  else
    for (const auto& m : methods_obj) methods.push_back(parse_predict_method(py::str(m).cast<std::string>()));
  require(!methods.empty(), "no prediction methods");
  McOptions opt;
  require(samples >= 1 && std::uint64_t(samples) <= kMcMaxSamples, "samples = ", samples, " is outside 1..", kMcMaxSamples);
  opt.samples = std::uint64_t(samples);
  opt.seed = in_range<std::uint64_t>("seed", seed, 0, std::numeric_limits<long long>::max());
  opt.threads = in_range<int>("threads", threads, 0, kMaxThreads);
  PredictOptions po;
  po.activation = opt.activation = parse_activation(activation);
  if (model) po.model = parse_predict_model(*model);
  if (order) po.order = in_range<int>("order", *order, 1, kMaxCumulantOrder);
  return to_py(released([&] {
    CompareResult r = run_compare(widths, t, methods, po, opt);
    return compare_json(r, t, po, default_density_layers(int(widths.size())), "", {});
  }));
}

// For tools/bench/python_speed.py: seconds per call of what J(a, b, "text", digits=D) does, timed inside
// C++ (parse the angle, moment_value), to measure the binding's per-call overhead.
double time_moment_value(long long a, long long b, const std::string& theta, long long digits, long long reps) {
  moment_value(unsigned(a), unsigned(b), parse_theta_checked(theta, false), int(digits));  // warm the cache
  auto t0 = std::chrono::steady_clock::now();
  for (long long i = 0; i < reps; ++i) moment_value(unsigned(a), unsigned(b), parse_theta_checked(theta, false), int(digits));
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / double(reps);
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "relumix: exact ReLU Gaussian moments J_{a,b}, angle theory, predictions, Monte Carlo (docs/python.md)";
  m.attr("__version__") = RELUMIX_VERSION;
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const InputError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const Interrupted&) {
      PyErr_SetNone(PyExc_KeyboardInterrupt);
    }
  });
  m.def("_closed_form", &closed_form_py, py::arg("a"), py::arg("b"), py::arg("activation") = "relu");
  m.def("moment", &moment_py, py::arg("a"), py::arg("b"), py::arg("theta"), py::arg("digits") = 30,
        py::arg("activation") = "relu",
        "M_{a,b}(theta) = E[phi(G)^a phi(G')^b] (phi^0 = 1) of activation \"relu\" (J_{a,b}), \"abs\" or \"leaky:ALPHA\",\n"
        "to `digits` certified digits: a str for one angle, a list of str for a list (as `relumix moment A B\n"
        "--activation F --theta T --digits D`)");
  m.def("J", &J_py, py::arg("a"), py::arg("b"), py::arg("theta"), py::arg("digits") = py::none(),
        "J_{a,b}(theta) = E[relu(G)^a relu(G')^b], corr = cos theta: with digits, a str of that many certified\n"
        "significant digits (as `relumix moment A B --theta T --digits D`); without, a float64 (<= 1 ulp), or an\n"
        "array of them for an array theta.");
  m.def("series", &series_py, py::arg("a"), py::arg("b"), py::arg("order") = 10, py::arg("activation") = "relu",
        "exact Taylor coefficients of J_{a,b} (or of M_{a,b} of an activation) at theta = 0 up to theta^order\n"
        "(as `relumix series --json`)");
  m.def("verify", &verify_py, py::arg("max") = 30, py::arg("activation") = "relu",
        "exact checks of the identities for all a, b <= max (as `relumix verify --json`)");
  m.def("angle", &angle_py, py::arg("width"), py::arg("theta"), py::arg("order") = 1, py::arg("digits") = 30,
        py::arg("activation") = "relu",
        "one layer at width n: certified mu, sigma2, cos_infinite_width (as `relumix angle --json`)");
  m.def("mu_sigma2", &mu_sigma2_py, py::arg("width"), py::arg("theta"), py::arg("order") = 1,
        "double-precision mu(theta, n), sigma^2(theta, n) over an array of angles in (0, pi]");
  m.def("_predict", &predict_py, py::arg("widths"), py::arg("theta0"), py::arg("method") = py::none(),
        py::arg("model") = py::none(), py::arg("order") = py::none(), py::arg("full_mean") = py::none(), py::arg("full_variance") = py::none(),
        py::arg("grid") = py::none(), py::arg("density") = false, py::arg("activation") = "relu");
  m.def("_mc", &mc_py, py::arg("widths"), py::arg("theta0"), py::arg("samples") = 5000, py::arg("seed") = 1,
        py::arg("threads") = 0, py::arg("keep") = false, py::arg("mode") = "chain", py::arg("activation") = "relu",
        py::arg("hist") = 0);
  m.def("arccos_kernel", &arccos_kernel_py, py::arg("X"), py::arg("Y") = py::none(), py::arg("order") = 1,
        py::arg("depth") = 1, py::arg("angles") = false,
        "Cho & Saul's arc-cosine kernel Gram matrix k_n^(depth)(X_i, Y_j) = |x|^n |y|^n 2 J_{n,n}(theta) at depth 1,\n"
        "accurate to a few ulp also for nearly parallel and antipodal rows (docs/python.md); angles=True also returns\n"
        "theta^(depth), the angle between the features after depth layers, as a second matrix");
  m.def("collapse", &collapse_py, py::arg("width"), py::arg("depth"), py::arg("digits") = 30, py::arg("bias_std") = 0.0,
        py::arg("inputs") = 1, py::arg("theta0") = "pi/2", py::arg("mc") = false, py::arg("samples") = 100000,
        py::arg("seed") = 1,
        "probability that a deep narrow ReLU network kills an input by depth L: exact, or a Monte Carlo with biases\n"
        "or two inputs (as `relumix collapse --json`)");
  m.def("norm", &norm_py, py::arg("width"), py::arg("depth"), py::arg("digits") = 30, py::arg("mc") = false,
        py::arg("samples") = 100000, py::arg("seed") = 1,
        "exact mean and variance of ln(|relu(z^L)|^2/|x|^2) at constant width, optional Monte Carlo (as `relumix norm --json`)");
  m.def("compare", &compare_py, py::arg("widths") = "256x32", py::arg("theta0") = "0.1", py::arg("samples") = 5000,
        py::arg("seed") = 1, py::arg("model") = py::none(), py::arg("order") = py::none(), py::arg("threads") = 0,
        py::arg("methods") = "infinite,linear,full,density", py::arg("activation") = "relu",
        "predictions against the Monte Carlo layer by layer with KS distances (as `relumix compare --json`, no plot)");
  m.def("_time_moment_value", &time_moment_value);
  m.def("_map_series", &map_series_py, py::arg("degree") = 10, py::arg("theta0") = py::none(),
        py::arg("activation") = "relu");
  m.def("_decay_series", &decay_series_py, py::arg("width") = py::none(), py::arg("degree") = 4,
        py::arg("order") = py::none(), py::arg("digits") = 30, py::arg("activation") = "relu");
}
