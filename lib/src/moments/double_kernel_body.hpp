// The body of the double-path kernel (double_kernel.hpp), included by moment_kernel_<isa>.cpp
// inside an anonymous namespace after it defines
//   V, L                  8 doubles and 8 int64 (GCC vector extensions),
//   V vfma(V a, V b, V c) a * b + c rounded once (per lane),
//   V vgather(const double* table, L index),
// and before it defines the exported kernel with RELUMIX_DOUBLE_KERNEL(name). No part of this
// file may be compiled with floating-point contraction (the error-free transforms rely on it).

struct D {
  V hi, lo;
};
inline V splat(double x) { return V{} + x; }
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
inline D sel(L m, D a, D b) { return {m ? a.hi : b.hi, m ? a.lo : b.lo}; }
inline V vabs(V x) { return x < 0 ? -x : x; }

// sum c_k x^k in double-double (coefficients hi + lo)
inline D horner(const std::vector<double>& hi, const std::vector<double>& lo, D x) {
  std::size_t n = hi.size();
  if (n == 0) return cst(0, 0);
  D acc = cst(hi[n - 1], lo[n - 1]);
  for (std::size_t k = n - 1; k-- > 0;) acc = add(mul(acc, x), cst(hi[k], lo[k]));
  return acc;
}
// the same with the first n coefficients
inline D horner_n(const double* hi, const double* lo, std::size_t n, D x) {
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
  L j = __builtin_convertvector(t.hi * 256.0 + 0.5, L);
  V jd = __builtin_convertvector(j, V) * (1.0 / 256);
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
  long v[8];
  __builtin_memcpy(v, &m, sizeof v);
  return (v[0] | v[1] | v[2] | v[3] | v[4] | v[5] | v[6] | v[7]) != 0;
}
inline bool all_of(L m) {
  long v[8];
  __builtin_memcpy(v, &m, sizeof v);
  return (v[0] & v[1] & v[2] & v[3] & v[4] & v[5] & v[6] & v[7]) != 0;
}

// eight angles
inline void block(const DoubleForm& f, const SinTable& T, V x, D& J, L& bad) {
  // range: NaN and angles outside [0, pi] are flagged (and computed at theta = 1)
  L ok = (x >= 0) & (x <= kPi0);
  bad = ~ok;
  x = ok ? x : splat(1.0);
  // phi = pi - theta (exact to about 2^-106), then t in [0, pi/4]: theta, |pi/2 - theta| or phi
  D phi = add_v(add_v(two_sum(splat(kPi0), -x), splat(kPi1)), splat(kPi2));
  L low = x < 0.7853981633974483, high = x >= 2.356194490192345;
  L mid = ~(low | high);
  V c0 = high ? splat(kPi0) : mid ? splat(kPi0 / 2) : splat(0);
  V c1 = high ? splat(kPi1) : mid ? splat(kPi1 / 2) : splat(0);
  V c2 = high ? splat(kPi2) : mid ? splat(kPi2 / 2) : splat(0);
  D d = add_v(add_v(two_sum(c0, -x), c1), c2);  // c - theta
  L below = d.hi < 0;                             // theta past c (mid: theta > pi/2)
  D t = sel(below, neg(d), d);
  D st, vt;
  sin_vers(T, t, st, vt);
  D ct = add_v(neg(vt), splat(1.0));  // cos t
  // sin(theta) and u = 1 + cos(theta)
  D s = sel(mid, ct, st);
  D u = sel(high, vt, sel(low, add_v(neg(vt), splat(2.0)), sel(below, add_v(neg(st), splat(1.0)), add_v(st, splat(1.0)))));
  L series = phi.hi < f.phi_s;
  D Jc = cst(0, 0), Js = cst(0, 0);
  L flag_c = {};
  bool any_series = any_of(series), any_closed = !all_of(series);
  if (any_closed) {
    if (f.even) {
      D p = horner(f.p_hi, f.p_lo, u), q = horner(f.q_hi, f.q_lo, u);
      D num = add(mul(phi, p), mul(s, q));
      V mag = phi.hi * horner_abs(f.p_abs, u.hi) + s.hi * horner_abs(f.q_abs, u.hi);
      flag_c = ~(mag <= vabs(num.hi) * double(1L << kMaxCancelLog2));
      Jc = mul(num, cst(f.inv_2pi_hi, f.inv_2pi_lo));
    } else {
      D r = horner(f.p_hi, f.p_lo, u);
      V mag = horner_abs(f.p_abs, u.hi);
      flag_c = ~(mag <= vabs(r.hi) * double(1L << kMaxCancelLog2));
      Jc = mul(r, cst(f.inv_sqrt_2pi_hi, f.inv_sqrt_2pi_lo));
    }
  }
  V scale1 = splat(1), scale2 = splat(1);
  if (any_series) {
    // phi = m 2^e with m in [1/2, 1): J = K phi^(n+1) S(phi^2) = [K m^(n+1) S] 2^(e (n+1)), the power
    // of two applied last (in two steps, so that only the final product rounds, into the
    // subnormal range if it must)
    L bits = (L)phi.hi;
    L e = ((bits >> 52) & 0x7ff) - 1022;                              // phi < 1, normal (phi >= 2^-54)
    V m = (V)((bits & 0x800fffffffffffffL) | (0x3feL << 52));         // phi.hi 2^-e
    V down = (V)((1023 - e) << 52);                                   // 2^-e
    D mm{m, phi.lo * down};
    D y = mul(phi, phi);
    // as many terms as the largest phi of the block needs
    V ps = series ? phi.hi : splat(0);
    double pmax = 0;
    for (int i = 0; i < 8; ++i) pmax = std::max(pmax, ps[i]);
    std::size_t terms = f.s_hi.size();
    if (pmax > 0) {
      double need = std::ceil(f.series_bits / (2 * -std::log2(pmax)));
      if (need < double(terms)) terms = std::max<std::size_t>(2, std::size_t(need));
    }
    D S = horner_n(f.s_hi.data(), f.s_lo.data(), terms, y);
    D pw = cst(1, 0), base = mm;
    for (unsigned k = f.n + 1; k; k >>= 1) {
      if (k & 1) pw = mul(pw, base);
      if (k > 1) base = mul(base, base);
    }
    Js = mul(S, pw);
    L E = e * long(f.n + 1);                                          // <= 0
    // E / 2 each; clamped at -1022 only where E < -2044, where the value (below 2^(970 + E) for the
    // coefficients a double holds) is 0 in double either way
    L E1 = E >> 1, E2 = E - E1;
    E1 = E1 < -1022 ? -1022 : E1;
    E2 = E2 < -1022 ? -1022 : E2;
    scale1 = series ? (V)((E1 + 1023) << 52) : splat(1);
    scale2 = series ? (V)((E2 + 1023) << 52) : splat(1);
  }
  J = sel(series, Js, Jc);
  V r = J.hi + J.lo;
  L tiny = vabs(r) < 1.0e-289;  // below 2^-960 (closed form): the double-double lost its low part
  L finite = (r == r) & (vabs(r) <= 1.7976931348623157e308);
  bad |= (series ? L{} : flag_c | tiny) | ~finite;
  // the series' power of two, applied to the rounded value: exact, then one rounding
  r = (r * scale1) * scale2;
  J = sel(series, D{r, splat(0)}, J);
  if (f.even) {  // J(0) = m_{a+b}, exactly
    L zero = x == 0;
    J.hi = zero ? splat(f.at_zero) : J.hi;
    J.lo = zero ? splat(0) : J.lo;
  }
  if (!f.usable) bad = ~L{};
}

void store_flags(L bad, std::uint8_t* flag, std::size_t n) {
  L one = bad & 1;
  for (std::size_t k = 0; k < n; ++k) flag[k] = std::uint8_t(one[int(k)]);
}

void run(const DoubleForm& f, const double* x, double* out, std::uint8_t* flag, std::size_t count) {
  const SinTable& T = sin_table();
  std::size_t i = 0;
  for (; i + 8 <= count; i += 8) {
    V v;
    __builtin_memcpy(&v, x + i, sizeof v);
    D J;
    L bad;
    block(f, T, v, J, bad);
    V r = J.hi + J.lo;
    __builtin_memcpy(out + i, &r, sizeof r);
    store_flags(bad, flag + i, 8);
  }
  if (i < count) {
    double buf[8];
    for (int k = 0; k < 8; ++k) buf[k] = i + std::size_t(k) < count ? x[i + std::size_t(k)] : 1.0;
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
