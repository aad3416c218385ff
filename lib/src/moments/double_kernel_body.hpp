// The body of the double-path kernel (double_kernel.hpp), included by moment_kernel_<isa>.cpp
// inside an anonymous namespace after it defines
//   V, L                  kLanes doubles and int64 (GCC vector extensions; 8 lanes, 4 for AVX2),
//   V vfma(V a, V b, V c) a * b + c rounded once (per lane),
//   V vgather(const double* table, L index),
//   L vlt(V a, V b), vle(V a, V b), veq(V a, V b)   lane masks (-1 or 0) of a < b, a <= b, a == b
//                         (false for NaN; GCC 12 compiles the comparisons and the conditional
//                         operator of vectors wider than the ISA's lane by lane in scalar code,
//                         so the body uses these and bitwise selects only),
// Every lane's result depends on that lane's input only (not on the other lanes or their number),
// so the kernels return the same bits. No part of this
// file may be compiled with floating-point contraction (the error-free transforms rely on it).

constexpr int kLanes = int(sizeof(V) / sizeof(double));
struct D {
  V hi, lo;
};
typedef unsigned long UL __attribute__((vector_size(sizeof(V))));
inline V splat(double x) { return V{} + x; }
// bitwise selects (m a lane mask) and |x|
inline V vsel(L m, V a, V b) { return (V)(((L)a & m) | ((L)b & ~m)); }
inline L lsel(L m, L a, L b) { return (a & m) | (b & ~m); }
inline V vabs(V x) { return (V)((L)x & 0x7fffffffffffffffL); }
// Integer <-> double without the conversion instructions AVX2 lacks (64-bit lanes): add and
// subtract 1.5 * 2^52; exact for integers below 2^51 in magnitude.
constexpr double kMagic = 6755399441055744.0;
inline V to_v(L k) { return (V)(k + (L)(V{} + kMagic)) - kMagic; }
inline L to_l(V y) { return (L)(y + kMagic) - (L)(V{} + kMagic); }  // y integer-valued
inline V vfloor(V y) {                                                // |y| < 2^51
  V r = (y + kMagic) - kMagic;
  return vsel(vlt(y, r), r - 1.0, r);
}
inline D cst(double hi, double lo) { return {splat(hi), splat(lo)}; }
inline D two_sum(V a, V b) {
  V s = a + b, bb = s - a;
  return {s, (a - (s - bb)) + (b - bb)};
}
inline D quick(V a, V b) {
  V s = a + b;
  return {s, b - (s - a)};
}
inline D two_prod(V a, V b) {
  V p = a * b;
  return {p, vfma(a, b, -p)};
}
// sums and products with an error below 2^-104 (|a| + |b|), resp. 2^-104 |a b|
inline D add(D a, D b) {
  D s = two_sum(a.hi, b.hi);
  s.lo += a.lo + b.lo;
  return quick(s.hi, s.lo);
}
inline D add_v(D a, V b) {
  D s = two_sum(a.hi, b);
  s.lo += a.lo;
  return quick(s.hi, s.lo);
}
inline D mul(D a, D b) {
  D p = two_prod(a.hi, b.hi);
  p.lo = vfma(a.hi, b.lo, vfma(a.lo, b.hi, p.lo));
  return quick(p.hi, p.lo);
}
inline D neg(D a) { return {-a.hi, -a.lo}; }
inline D sel(L m, D a, D b) { return {vsel(m, a.hi, b.hi), vsel(m, a.lo, b.lo)}; }

// sum c_k x^k in double-double (coefficients hi + lo)
inline D horner(const std::vector<double>& hi, const std::vector<double>& lo, D x) {
  std::size_t n = hi.size();
  if (n == 0) return cst(0, 0);
  D acc = cst(hi[n - 1], lo[n - 1]);
  for (std::size_t k = n - 1; k-- > 0;) acc = add(mul(acc, x), cst(hi[k], lo[k]));
  return acc;
}
// sum |c_k| x^k for x >= 0 in double (the magnitude against which cancellation is measured)
inline V horner_abs(const std::vector<double>& a, V x) {
  std::size_t n = a.size();
  if (n == 0) return splat(0);
  V acc = splat(a[n - 1]);
  for (std::size_t k = n - 1; k-- > 0;) acc = vfma(acc, x, splat(a[k]));
  return acc;
}

// sin t and 1 - cos t for 0 <= t <= 0.81: t = j/256 + r, |r| <= 1/512, from the table at j/256 and
// the Taylor series of sin r and cos r - 1 (the leading terms in double-double)
inline void sin_vers(const SinTable& T, D t, D& s, D& v) {
  V jf = vfloor(t.hi * 256.0 + 0.5);
  L j = to_l(jf);
  V jd = jf * (1.0 / 256);
  D r{t.hi - jd, t.lo};  // exact: t.hi and j/256 are close
  D r2 = two_prod(r.hi, r.hi);
  r2.lo = vfma(r.hi + r.hi, r.lo, r2.lo);
  r2 = quick(r2.hi, r2.lo);
  D r3 = mul(r2, r);
  V y = r2.hi;
  // sin r = r - r^3/6 + r^5 (1/120 - r^2/5040 + r^4/362880)
  D sr = add(r, mul(r3, cst(-0.16666666666666666, -9.2518585385429707e-18)));
  V t5 = r3.hi * y * (splat(1.0 / 120) + y * (splat(-1.0 / 5040) + y * (1.0 / 362880)));
  sr = add_v(sr, t5);
  // cos r - 1 = -r^2/2 + r^4/24 - r^6 (1/720 - r^2/40320 + r^4/3628800)
  D r4 = mul(r2, r2);
  D vc = add(D{r2.hi * -0.5, r2.lo * -0.5}, mul(r4, cst(0.041666666666666664, 2.3129646346357427e-18)));
  V t6 = r4.hi * y * (splat(-1.0 / 720) + y * (splat(1.0 / 40320) + y * (-1.0 / 3628800)));
  vc = add_v(vc, t6);
  D S{vgather(T.s_hi, j), vgather(T.s_lo, j)}, C{vgather(T.c_hi, j), vgather(T.c_lo, j)},
      W{vgather(T.v_hi, j), vgather(T.v_lo, j)};
  // sin t = S cos r + C sin r, 1 - cos t = (1 - C) - C (cos r - 1) + S sin r
  s = add(add(S, mul(C, sr)), mul(S, vc));
  v = add(add(W, mul(S, sr)), neg(mul(C, vc)));
}

constexpr double kPi0 = 3.141592653589793116, kPi1 = 1.2246467991473532e-16, kPi2 = -2.9947698097183397e-33;

// true if any (all) lane of m is set
inline bool any_of(L m) {
  long r = 0;
  for (int i = 0; i < kLanes; ++i) r |= m[i];
  return r != 0;
}
inline bool all_of(L m) {
  long r = -1;
  for (int i = 0; i < kLanes; ++i) r &= m[i];
  return r != 0;
}

// kLanes angles reduced: theta (out-of-range lanes replaced by 1 and flagged in bad), phi = pi - theta,
// sin(theta) and u = 1 + cos(theta), all in double-double
struct Reduced {
  V x;
  L bad;
  D phi, s, u;
};
inline Reduced reduce(const SinTable& T, V x) {
  Reduced R;
  // range: NaN and angles outside [0, pi] are flagged (and computed at theta = 1)
  L ok = vle(splat(0), x) & vle(x, splat(kPi0));
  R.bad = ~ok;
  x = vsel(ok, x, splat(1.0));
  R.x = x;
  // phi = pi - theta (exact to about 2^-106), then t in [0, pi/4]: theta, |pi/2 - theta| or phi
  R.phi = add_v(add_v(two_sum(splat(kPi0), -x), splat(kPi1)), splat(kPi2));
  L low = vlt(x, splat(0.7853981633974483)), high = vle(splat(2.356194490192345), x);
  L mid = ~(low | high);
  V c0 = vsel(high, splat(kPi0), vsel(mid, splat(kPi0 / 2), splat(0)));
  V c1 = vsel(high, splat(kPi1), vsel(mid, splat(kPi1 / 2), splat(0)));
  V c2 = vsel(high, splat(kPi2), vsel(mid, splat(kPi2 / 2), splat(0)));
  D d = add_v(add_v(two_sum(c0, -x), c1), c2);  // c - theta
  L below = vlt(d.hi, splat(0));                            // theta past c (mid: theta > pi/2)
  D t = sel(below, neg(d), d);
  D st, vt;
  sin_vers(T, t, st, vt);
  D ct = add_v(neg(vt), splat(1.0));  // cos t
  // sin(theta) and u = 1 + cos(theta)
  R.s = sel(mid, ct, st);
  R.u = sel(high, vt, sel(low, add_v(neg(vt), splat(2.0)), sel(below, add_v(neg(st), splat(1.0)), add_v(st, splat(1.0)))));
  return R;
}

// J of the form f at the reduced angles; bad |= the lanes the kernel cannot do. The series at pi
// returns the value rounded to double (keep_dd false: one rounding, into the subnormal range if it
// must) or as a double-double (keep_dd true; for forms whose values near pi stay far above the
// subnormal range, a + b small).
inline void form_value(const DoubleForm& f, const Reduced& R, D& J, L& bad, bool keep_dd) {
  const D &phi = R.phi, &s = R.s, &u = R.u;
  const V x = R.x;
  L series = vlt(phi.hi, splat(f.phi_s));
  D Jc = cst(0, 0), Js = cst(0, 0);
  L flag_c = {};
  bool any_series = any_of(series), any_closed = !all_of(series);
  if (any_closed) {
    if (f.even) {
      D p = horner(f.p_hi, f.p_lo, u), q = horner(f.q_hi, f.q_lo, u);
      D num = add(mul(phi, p), mul(s, q));
      V mag = phi.hi * horner_abs(f.p_abs, u.hi) + s.hi * horner_abs(f.q_abs, u.hi);
      flag_c = ~vle(mag, vabs(num.hi) * double(1L << kMaxCancelLog2));
      Jc = mul(num, cst(f.inv_2pi_hi, f.inv_2pi_lo));
    } else {
      D r = horner(f.p_hi, f.p_lo, u);
      V mag = horner_abs(f.p_abs, u.hi);
      flag_c = ~vle(mag, vabs(r.hi) * double(1L << kMaxCancelLog2));
      Jc = mul(r, cst(f.inv_sqrt_2pi_hi, f.inv_sqrt_2pi_lo));
    }
  }
  V scale1 = splat(1), scale2 = splat(1);
  if (any_series) {
    // phi = m 2^e with m in [1/2, 1): J = K phi^(n+1) S(phi^2) = [K m^(n+1) S] 2^(e (n+1)), the power
    // of two applied last (in two steps, so that only the final product rounds, into the
    // subnormal range if it must)
    L bits = (L)phi.hi;
    L e = (L)(((UL)bits >> 52) & 0x7ff) - 1022;                       // phi < 1, normal (phi >= 2^-54)
    V m = (V)((bits & 0x800fffffffffffffL) | (0x3feL << 52));         // phi.hi 2^-e
    V down = (V)((1023 - e) << 52);                                   // 2^-e
    D mm{m, phi.lo * down};
    D y = mul(phi, phi);
    // per lane as many terms as its phi < 2^e needs (at least 2): the coefficients beyond are
    // masked to 0, so a lane's value does not depend on the other lanes (nor on their number)
    const double size = double(f.s_hi.size());
    V need = -vfloor(splat(-f.series_bits) / (to_v(e) * -2.0 + 0.0));  // ceil; e = 0: +inf, all terms
    need = vsel(vlt(need, splat(2)), splat(2), vsel(vlt(splat(size), need), splat(size), need));
    V ns = vsel(series, need, splat(0));
    double most = 0;
    for (int i = 0; i < kLanes; ++i) most = std::max(most, ns[i]);
    D S = cst(0, 0);
    for (std::size_t k = std::size_t(most); k-- > 0;) {
      L use = vlt(splat(double(k)), need);
      S = add(mul(S, y), D{vsel(use, splat(f.s_hi[k]), splat(0)), vsel(use, splat(f.s_lo[k]), splat(0))});
    }
    D pw = cst(1, 0), base = mm;
    for (unsigned k = f.n + 1; k; k >>= 1) {
      if (k & 1) pw = mul(pw, base);
      if (k > 1) base = mul(base, base);
    }
    Js = mul(S, pw);
    // <= 0 on the series lanes; clamped to [-1e6, 0] on every lane first (the other lanes, e.g. at
    // theta = pi, can hold phi >= 1 or a huge exponent, and 1 - E below would overflow; their result
    // is not used)
    V Ev = to_v(e) * double(f.n + 1);
    Ev = vsel(vle(splat(-1e6), Ev), Ev, splat(-1e6));
    L E = to_l(vsel(vlt(Ev, splat(0)), Ev, splat(0)));
    // E / 2 each; clamped at -1022 only where E < -2044, where the value (below 2^(970 + E) for the
    // coefficients a double holds) is 0 in double either way. floor(E / 2) = -((1 - E) >> 1).
    L E1 = -(L)((UL)(1 - E) >> 1), E2 = E - E1;
    E1 = lsel(vlt(to_v(E1), splat(-1022)), L{} - 1022, E1);
    E2 = lsel(vlt(to_v(E2), splat(-1022)), L{} - 1022, E2);
    scale1 = vsel(series, (V)((E1 + 1023) << 52), splat(1));
    scale2 = vsel(series, (V)((E2 + 1023) << 52), splat(1));
  }
  J = sel(series, Js, Jc);
  V r = J.hi + J.lo;
  L tiny = vlt(vabs(r), splat(1.0e-289));  // below 2^-960 (closed form): the double-double lost its low part
  L finite = veq(r, r) & vle(vabs(r), splat(1.7976931348623157e308));
  bad |= ((flag_c | tiny) & ~series) | ~finite;
  if (keep_dd) {
    J = sel(series, D{(Js.hi * scale1) * scale2, (Js.lo * scale1) * scale2}, J);
  } else {
    // the series' power of two, applied to the rounded value: exact, then one rounding
    r = (r * scale1) * scale2;
    J = sel(series, D{r, splat(0)}, J);
  }
  if (f.even) {  // J(0) = m_{a+b}, exactly
    L zero = veq(x, splat(0));
    J.hi = vsel(zero, splat(f.at_zero), J.hi);
    J.lo = vsel(zero, splat(0), J.lo);
  }
  if (!f.usable) bad = ~L{};
}

// kLanes angles
inline void block(const DoubleForm& f, const SinTable& T, V x, D& J, L& bad) {
  Reduced R = reduce(T, x);
  bad = R.bad;
  form_value(f, R, J, bad, false);
}

void store_flags(L bad, std::uint8_t* flag, std::size_t n) {
  L one = bad & 1;
  for (std::size_t k = 0; k < n; ++k) flag[k] = std::uint8_t(one[int(k)]);
}

void run(const DoubleForm& f, const double* x, double* out, std::uint8_t* flag, std::size_t count) {
  const SinTable& T = sin_table();
  std::size_t i = 0;
  for (; i + kLanes <= count; i += kLanes) {
    V v;
    __builtin_memcpy(&v, x + i, sizeof v);
    D J;
    L bad;
    block(f, T, v, J, bad);
    V r = J.hi + J.lo;
    __builtin_memcpy(out + i, &r, sizeof r);
    store_flags(bad, flag + i, kLanes);
  }
  if (i < count) {
    double buf[kLanes];
    for (int k = 0; k < kLanes; ++k) buf[k] = i + std::size_t(k) < count ? x[i + std::size_t(k)] : 1.0;
    V v;
    __builtin_memcpy(&v, buf, sizeof v);
    D J;
    L bad;
    block(f, T, v, J, bad);
    V r = J.hi + J.lo;
    for (std::size_t k = 0; i + k < count; ++k) out[i + k] = r[int(k)];
    store_flags(bad, flag + i, count - i);
  }
}
