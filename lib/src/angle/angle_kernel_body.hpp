// The body of the mu/sigma^2 kernel (angle/angle_kernel.hpp), included by moment_kernel_<isa>.cpp
// after moments/double_kernel_body.hpp (whose double-double arithmetic, reduction and form_value
// it uses). No floating-point contraction.

inline D mul_v(D a, V b) {
  D p = two_prod(a.hi, b);
  p.lo = vfma(a.lo, b, p.lo);
  return quick(p.hi, p.lo);
}
inline D sqr(D a) { return mul(a, a); }
// 1/b, error about 2^-104 relative
inline D recip(D b) {
  V q = 1.0 / b.hi;
  D p = two_prod(q, b.hi);
  V r = ((splat(1.0) - p.hi) - p.lo) - q * b.lo;  // 1 - q b; 1 - p.hi is exact
  return quick(q, r * q);
}
inline D scale(D a, double k) { return {a.hi * k, a.lo * k}; }  // k a power of two

// log1p(r) for |r| <= 2^-7: r - r^2/2 + r^3/3 in double-double, the rest to r^14 in double
inline D log1p_series(D r) {
  D r2 = sqr(r), r3 = mul(r2, r);
  D s = add(r, scale(r2, -0.5));
  s = add(s, mul(r3, cst(0.33333333333333331, 1.8503717077085942e-17)));
  V t = r.hi, p = splat(-1.0 / 14);
  for (int k = 13; k >= 4; --k) p = vfma(p, t, splat((k % 2 ? 1.0 : -1.0) / k));
  return add_v(s, r3.hi * t * p);
}
// ln x for x > 0 normal: x = 2^e m, m in [1, 2), m = c (1 + r) with c = 1 + j/128 from the table
inline D log_dd(const LogTable& T, D x) {
  L bits = (L)x.hi;
  L e = (L)(((UL)bits >> 52) & 0x7ff) - 1023;
  V m = (V)((bits & 0x000fffffffffffffL) | (0x3ffL << 52));
  V down = (V)((1023 - e) << 52);  // 2^-e
  V jf = vfloor((m - 1.0) * 128.0 + 0.5);
  L j = to_l(jf);
  V c = jf * (1.0 / 128) + 1.0;
  D num = two_sum(m - c, x.lo * down);  // m - c exact
  D r = mul(num, D{vgather(T.inv_hi, j), vgather(T.inv_lo, j)});
  D l = add(mul_v(cst(T.ln2_hi, T.ln2_lo), to_v(e)), D{vgather(T.log_hi, j), vgather(T.log_lo, j)});
  return add(l, log1p_series(r));
}
inline D log1p_dd(const LogTable& T, D z) {
  L small = vlt(vabs(z.hi), splat(0.0078125));
  D s = cst(0, 0), g = cst(0, 0);
  if (any_of(small)) s = log1p_series(z);
  if (!all_of(small)) g = log_dd(T, add_v(z, splat(1.0)));
  return sel(small, s, g);
}

inline void angle_block(const AngleForm& f, const SinTable& T, V x, V& mu, V& s2, L& bad) {
  const LogTable& LT = *f.log;
  Reduced R = reduce(T, x);
  bad = R.bad | vlt(x, splat(2.2250738585072014e-308));  // 0 and subnormal angles
  D a, b, c;
  form_value(*f.j11, R, a, bad, true);
  form_value(*f.j22, R, b, bad, true);
  form_value(*f.j31, R, c, bad, true);
  const D one = cst(1, 0), c4 = cst(f.c4_hi, f.c4_lo), c8 = cst(f.c8_hi, f.c8_lo);
  D e = mul(b, cst(f.e_hi, f.e_lo)), b1 = add_v(b, splat(1.0));
  D xi = recip(add_v(e, splat(1.0)));
  D lne = log1p_dd(LT, e);
  L series = vlt(R.x, splat(f.small));
  D m_r = cst(0, 0), s_r = cst(0, 0), m_s = cst(0, 0), s_s = cst(0, 0);
  if (!all_of(series)) {
    D a2 = sqr(a), A4 = scale(a2, 4);
    D Dv = add(one, neg(A4)), y = recip(Dv), xy = mul(xi, y), w = add(A4, e);
    D kp = add(mul(A4, add(add(one, scale(b, 2)), scale(a2, -2))), scale(mul(a, c), -8));
    D bw = mul(b1, w);
    // mu = log1p(-4a^2) - log1p(e) - c4 [(1 + b) w x y (x + y) + k' y^2]
    D br = add(mul(mul(bw, xy), add(xi, y)), mul(kp, sqr(y)));
    m_r = add(add(log1p_dd(LT, neg(A4)), neg(lne)), neg(mul(c4, br)));
    // sigma^2 = c8 x y [(1 + b) w^2 x y + k' w y + 8 a^2 (b - a^2)]
    D bs = add(add(mul(mul(bw, w), xy), mul(mul(kp, w), y)), scale(mul(a2, add(b, neg(a2))), 8));
    s_r = mul(mul(c8, xy), bs);
  }
  if (any_of(series)) {
    D t{R.x, splat(0)};
    D kd2 = horner(f.kd2_hi, f.kd2_lo, t), ld = horner(f.ld_hi, f.ld_lo, t), lds = horner(f.lds_hi, f.lds_lo, t);
    D bx2 = mul(b1, sqr(xi));
    D lns2 = scale(log_dd(LT, R.s), 2);
    m_s = add(add(add(lns2, lds), neg(lne)), mul(c4, add(bx2, neg(kd2))));
    s_s = mul(c8, add(add(bx2, kd2), neg(scale(mul(xi, ld), 2))));
  }
  D m = sel(series, m_s, m_r), s = sel(series, s_s, s_r);
  mu = m.hi + m.lo;
  s2 = s.hi + s.lo;
  bad |= ~(veq(mu, mu) & veq(s2, s2));
}

void run_angle(const AngleForm& f, const double* x, double* mu, double* s2, std::uint8_t* flag, std::size_t count) {
  const SinTable& T = sin_table();
  for (std::size_t i = 0; i < count; i += kLanes) {
    double buf[kLanes];
    const std::size_t k = std::min<std::size_t>(kLanes, count - i);
    for (std::size_t q = 0; q < std::size_t(kLanes); ++q) buf[q] = q < k ? x[i + q] : 1.0;
    V v, m, s;
    __builtin_memcpy(&v, buf, sizeof v);
    L bad;
    angle_block(f, T, v, m, s, bad);
    for (std::size_t q = 0; q < k; ++q) mu[i + q] = m[int(q)], s2[i + q] = s[int(q)];
    store_flags(bad, flag + i, k);
  }
}
