// relumix's certified values next to the yardstick of issue 18: a plain, straightforward use of
// Arb (ball arithmetic on the same closed form, a radius check, the precision doubled when the
// ball is too wide, D digits formatted by arb_get_str), on the same grids, in one run. Prints a
// table: value, relumix, Arb, ratio (relumix / Arb; <= 1 means relumix is as fast or faster).
//
//   build/tools/bench_arb [--reps R] [--points N] [--points1000 N] [--quick]
//
// Times are thread CPU seconds per value (CLOCK_THREAD_CPUTIME_ID, robust on a shared machine),
// the median of R alternating repetitions (relumix, Arb, relumix, Arb, ...); both sides are
// single-threaded except the row marked "all cores" (wall time). Every relumix value is checked
// against the Arb value (they must agree to within one unit of the last digit).
#include <arb.h>
#include <arb_fmpz_poly.h>
#include <flint/fmpq.h>
#include <mpfr.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "relumix/moments/eval.hpp"
#include "relumix/moments/moments.hpp"
#include "relumix/io/angles.hpp"
#include "relumix/numeric/theta.hpp"

using namespace relumix;

namespace {

double thread_seconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}
double wall_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// ---- the yardstick: a plain Arb evaluation of the closed form ---------------------------------

// p(x) = num(x) / den with an integer polynomial num
struct ArbPoly {
  fmpz_poly_t num;
  fmpz_t den;
  explicit ArbPoly(const Poly& p) {
    fmpz_poly_init(num);
    fmpz_init_set_ui(den, 1);
    Integer d = 1;
    for (const Rational& q : p.coeffs()) d = boost::multiprecision::lcm(d, denominator(q));
    fmpz_set_mpz(den, d.backend().data());
    for (std::size_t k = 0; k < p.coeffs().size(); ++k) {
      Integer c = numerator(p.coeffs()[k]) * (d / denominator(p.coeffs()[k]));
      fmpz_t z;
      fmpz_init(z);
      fmpz_set_mpz(z, c.backend().data());
      fmpz_poly_set_coeff_fmpz(num, slong(k), z);
      fmpz_clear(z);
    }
  }
  ~ArbPoly() {
    fmpz_poly_clear(num);
    fmpz_clear(den);
  }
  void eval(arb_t out, const arb_t x, slong prec) const {
    arb_fmpz_poly_evaluate_arb(out, num, x, prec);
    arb_div_fmpz(out, out, den, prec);
  }
};

struct ArbForm {
  bool even;
  ArbPoly P, Q, R;
  explicit ArbForm(const ClosedForm& cf) : even(cf.even()), P(cf.P), Q(cf.Q), R(cf.R) {}
};

struct ArbTheta {
  fmpq_t c, off;  // theta = c pi + off
  bool is_pi;
  explicit ArbTheta(const Theta& t) : is_pi(t.is_pi()) {
    fmpq_init(c);
    fmpq_init(off);
    fmpq_set_mpq(c, t.pi_coeff.backend().data());
    fmpq_set_mpq(off, t.offset.backend().data());
  }
  ArbTheta(const ArbTheta& o) : is_pi(o.is_pi) {
    fmpq_init(c);
    fmpq_init(off);
    fmpq_set(c, o.c);
    fmpq_set(off, o.off);
  }
  ~ArbTheta() {
    fmpq_clear(c);
    fmpq_clear(off);
  }
};

// J_{a,b}(theta) to D digits: ball arithmetic on the closed form, radius check, precision doubled
// until the relative accuracy covers D digits, then formatted by arb_get_str.
std::string arb_value(const ArbForm& f, const ArbTheta& t, long D) {
  if (t.is_pi) return "0";
  const slong want = slong(double(D) * 3.321928094887362) + 4;
  slong prec = want + 16;
  arb_t pi, th, s, c, p, q, J, tmp;
  arb_init(pi); arb_init(th); arb_init(s); arb_init(c); arb_init(p); arb_init(q); arb_init(J); arb_init(tmp);
  std::string out;
  for (;;) {
    arb_const_pi(pi, prec);
    arb_mul_fmpz(th, pi, fmpq_numref(t.c), prec);
    arb_div_fmpz(th, th, fmpq_denref(t.c), prec);
    arb_set_fmpq(tmp, t.off, prec);
    arb_add(th, th, tmp, prec);
    arb_sin_cos(s, c, th, prec);
    if (f.even) {
      f.P.eval(p, c, prec);
      f.Q.eval(q, c, prec);
      arb_sub(J, pi, th, prec);
      arb_mul(J, J, p, prec);
      arb_addmul(J, s, q, prec);
      arb_div(J, J, pi, prec);
      arb_mul_2exp_si(J, J, -1);
    } else {
      f.R.eval(J, c, prec);
      arb_mul_2exp_si(tmp, pi, 1);
      arb_sqrt(tmp, tmp, prec);
      arb_div(J, J, tmp, prec);
    }
    if (arb_rel_accuracy_bits(J) >= want) {
      char* str = arb_get_str(J, D, ARB_STR_NO_RADIUS);
      out = str;
      flint_free(str);
      break;
    }
    prec *= 2;
  }
  arb_clear(pi); arb_clear(th); arb_clear(s); arb_clear(c); arb_clear(p); arb_clear(q); arb_clear(J); arb_clear(tmp);
  return out;
}

// ---- comparison ---------------------------------------------------------------------------------

// |x - y| <= 1 unit in the D-th significant digit of x (both decimal strings)
bool agree(const std::string& x, const std::string& y, long D) {
  if (x == "0" || y == "0") return x == y || std::strtod(x.c_str(), nullptr) == std::strtod(y.c_str(), nullptr);
  mpfr_t a, b, d;
  mpfr_prec_t p = mpfr_prec_t(D * 3.33) + 64;
  mpfr_inits2(p, a, b, d, (mpfr_ptr)nullptr);
  mpfr_set_str(a, x.c_str(), 10, MPFR_RNDN);
  mpfr_set_str(b, y.c_str(), 10, MPFR_RNDN);
  mpfr_sub(d, a, b, MPFR_RNDN);
  bool ok;
  if (mpfr_zero_p(d)) ok = true;
  else {
    mpfr_div(d, d, a, MPFR_RNDN);
    mpfr_abs(d, d, MPFR_RNDN);
    // relative difference <= 10^(1-D) covers one unit of the last digit
    ok = mpfr_get_d(d, MPFR_RNDN) <= std::pow(10.0, double(1 - D)) * 1.0000001;
  }
  mpfr_clears(a, b, d, (mpfr_ptr)nullptr);
  return ok;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

struct Row {
  std::string label;
  double relumix = 0, arb = 0;  // seconds per value
  long mismatches = 0;
  bool wall = false;
};

std::string fmt_time(double s) {
  char buf[32];
  if (s < 1e-6) std::snprintf(buf, sizeof buf, "%.0f ns", s * 1e9);
  else if (s < 1e-3) std::snprintf(buf, sizeof buf, "%.2f us", s * 1e6);
  else std::snprintf(buf, sizeof buf, "%.2f ms", s * 1e3);
  return buf;
}

// times one grid (or one value repeated) on both sides
Row measure(const std::string& label, unsigned a, unsigned b, const std::vector<Theta>& thetas, long D, int reps,
            long repeat_each, unsigned threads = 1) {
  Row row;
  row.label = label;
  row.wall = threads != 1;
  ArbForm form(closed_form(a, b));
  std::vector<ArbTheta> at;
  for (const Theta& t : thetas) at.emplace_back(t);
  // warm up both (closed form, caches) and compare every value
  std::vector<std::string> mine = moment_values(a, b, thetas, int(D), 1);
  for (std::size_t i = 0; i < thetas.size(); ++i)
    if (!agree(mine[i], arb_value(form, at[i], D), D)) ++row.mismatches;
  std::vector<double> tr, ta;
  double n = double(thetas.size()) * double(repeat_each);
  for (int r = 0; r < reps; ++r) {
    double t0 = row.wall ? wall_seconds() : thread_seconds();
    for (long k = 0; k < repeat_each; ++k) {
      std::vector<std::string> v = moment_values(a, b, thetas, int(D), threads);
      if (v.empty()) std::abort();
    }
    tr.push_back(((row.wall ? wall_seconds() : thread_seconds()) - t0) / n);
    t0 = thread_seconds();
    for (long k = 0; k < repeat_each; ++k)
      for (const ArbTheta& t : at) {
        std::string v = arb_value(form, t, D);
        if (v.empty()) std::abort();
      }
    ta.push_back((thread_seconds() - t0) / n);
  }
  row.relumix = median(tr);
  row.arb = median(ta);
  return row;
}

}  // namespace

int main(int argc, char** argv) {
  int reps = 5;
  long points = 10000, points1000 = 2000;
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    std::string s = argv[i];
    if (s == "--reps" && i + 1 < argc) reps = std::atoi(argv[++i]);
    else if (s == "--points" && i + 1 < argc) points = std::atol(argv[++i]);
    else if (s == "--points1000" && i + 1 < argc) points1000 = std::atol(argv[++i]);
    else if (s == "--quick") quick = true;
    else {
      std::fprintf(stderr, "usage: bench_arb [--reps R] [--points N] [--points1000 N] [--quick]\n");
      return 2;
    }
  }
  if (quick) { reps = 3; points = 1000; points1000 = 200; }
  std::vector<Theta> g50 = parse_thetas("0:pi:" + std::to_string(points));
  std::vector<Theta> g1000 = parse_thetas("0:pi:" + std::to_string(points1000));
  std::vector<Row> rows;
  std::string grid50 = "grid 0:pi:" + std::to_string(points), grid1000 = "grid 0:pi:" + std::to_string(points1000);
  for (auto [a, b] : std::vector<std::pair<unsigned, unsigned>>{{1, 1}, {2, 1}, {3, 3}, {4, 1}, {5, 5}, {6, 3}, {10, 0}})
    rows.push_back(measure("J_{" + std::to_string(a) + "," + std::to_string(b) + "}, 50 digits, " + grid50, a, b, g50, 50, reps, 1));
  for (auto [a, b] : std::vector<std::pair<unsigned, unsigned>>{{1, 1}, {5, 5}, {6, 3}})
    rows.push_back(measure("J_{" + std::to_string(a) + "," + std::to_string(b) + "}, 1000 digits, " + grid1000, a, b, g1000, 1000, reps, 1));
  struct Hard { unsigned a, b; const char* theta; long D; long repeat; };
  for (const Hard& h : std::vector<Hard>{{20, 20, "pi-1e-20", 30, 200}, {21, 19, "pi-1e-20", 30, 200}, {20, 20, "1e-30", 30, 200},
                                         {3, 3, "pi-1e-4", 10000, 2}, {3, 3, "pi/3", 10000, 2}}) {
    std::string label = "J_{" + std::to_string(h.a) + "," + std::to_string(h.b) + "}(" + h.theta + "), " + std::to_string(h.D) + " digits";
    rows.push_back(measure(label, h.a, h.b, {parse_theta_checked(h.theta)}, h.D, reps, quick ? std::max(1L, h.repeat / 10) : h.repeat));
  }
  rows.push_back(measure("J_{5,5}, 50 digits, " + grid50 + ", all cores (wall)", 5, 5, g50, 50, reps, 1, 0));

  std::printf("| value | relumix | Arb (plain) | ratio |\n|---|---|---|---|\n");
  long bad = 0;
  for (const Row& r : rows) {
    std::printf("| %s | %s | %s | %.2f |\n", r.label.c_str(), fmt_time(r.relumix).c_str(), fmt_time(r.arb).c_str(), r.relumix / r.arb);
    bad += r.mismatches;
  }
  std::printf("\nper value; thread CPU time, median of %d repetitions; Arb %s, FLINT %s, MPFR %s\n", reps, arb_version,
              FLINT_VERSION, mpfr_get_version());
  if (bad) std::printf("MISMATCH: %ld values differ from Arb by more than one unit in the last digit\n", bad);
  return bad ? 1 : 0;
}
