"""Checks of docs/theory.md section 5 (the cumulant expansion in 1/n), by an algorithm different from
relumix's: the central moments of the mean come from exponentiating the cumulant generating function,
E[exp(t.delta)] = exp(sum_{|z|>=2} kappa_z t^z n^(1-|z|) / z!), and the cumulants from the logarithm of
the moment generating function, both as truncated multivariate series (relumix uses the
moment-cumulant recursion instead). Run: /usr/bin/python3 docs/checks/check_cumulant.py [K]
(default K = 4, under a minute; K = 8 takes a few minutes)."""
import sys

import mpmath as mp

from common import check, close, finish, one_layer_parts, plain_moment, relumix

KMAX = int(sys.argv[1]) if len(sys.argv) > 1 else 4


def mul(p, q, T):
    r = {}
    for a, x in p.items():
        da = a[0] + a[1] + a[2]
        for b, y in q.items():
            if da + b[0] + b[1] + b[2] > T:
                continue
            c = (a[0] + b[0], a[1] + b[1], a[2] + b[2])
            r[c] = r.get(c, 0) + x * y
    return r


def add(p, q, s=1):
    r = dict(p)
    for a, x in q.items():
        r[a] = r.get(a, 0) + s * x
    return r


def scale(p, s):
    return {a: x * s for a, x in p.items()}


def log1p_series(y, T):
    """log(1 + y) for a series y without constant term, to total degree T."""
    out, pw = {}, {(0, 0, 0): mp.mpf(1)}
    for j in range(1, T + 1):
        pw = mul(pw, y, T)
        out = add(out, pw, mp.mpf((-1) ** (j + 1)) / j)
    return out


def fact3(a):
    return mp.factorial(a[0]) * mp.factorial(a[1]) * mp.factorial(a[2])


def expansion(theta, K):
    """mean_k, var_k (k = 1..K) of X' = ln sin^2 theta' at angle theta."""
    T = 2 * K
    idx = [(i, j, d - i - j) for d in range(T + 1) for i in range(d + 1) for j in range(d + 1 - i)]
    # moment generating function of v = (X^2, Y^2, XY): sum E[v^a] t^a / a!
    mgf = {a: plain_moment(2 * a[0] + a[2], 2 * a[1] + a[2], theta) / fact3(a) for a in idx if a != (0, 0, 0)}
    cgf = log1p_series(mgf, T)  # sum kappa_a t^a / a!
    J = plain_moment(1, 1, theta)
    check("first cumulants are the means (1/2, 1/2, J11) at theta = %s" % mp.nstr(theta, 3),
          abs(cgf[(1, 0, 0)] - 0.5) < 1e-40 and abs(cgf[(0, 0, 1)] - J) < 1e-40)
    F = {a: x for a, x in cgf.items() if sum(a) >= 2}  # the mean of n copies: times n^(1-|a|)
    # E[delta^b] = b! sum_j [t^b] F^j / j! * eps^(|b| - j)
    cm = {}  # (b, e) -> value
    pw = {(0, 0, 0): mp.mpf(1)}
    for j in range(1, T // 2 + 1):
        pw = mul(pw, F, T)
        for b, x in pw.items():
            e = sum(b) - j
            if e <= K:
                cm[(b, e)] = cm.get((b, e), 0) + x * fact3(b) / mp.factorial(j)
    # p = g - ln D = ln(1 + w L) - ln(1 + 2 d1) - ln(1 + 2 d2), L = d1/2 + d2/2 + d1 d2 - 2 J d3 - d3^2
    D = 1 - 4 * J * J
    w = 4 / D
    Lp = {(1, 0, 0): mp.mpf(1) / 2, (0, 1, 0): mp.mpf(1) / 2, (1, 1, 0): mp.mpf(1), (0, 0, 1): -2 * J, (0, 0, 2): mp.mpf(-1)}
    p = add(add(log1p_series(scale(Lp, w), T), log1p_series({(1, 0, 0): mp.mpf(2)}, T), -1),
            log1p_series({(0, 1, 0): mp.mpf(2)}, T), -1)
    p2 = mul(p, p, T)

    def expect(c):
        r = [mp.mpf(0)] * (K + 1)
        for (b, e), x in cm.items():
            if b in c:
                r[e] += c[b] * x
        return r

    Ep, Ep2 = expect(p), expect(p2)
    mean = Ep
    var = [Ep2[k] - sum(Ep[a] * Ep[k - a] for a in range(1, k)) for k in range(K + 1)]
    return mean, var


def closed_first_order(theta):
    j11, j22, j31 = (plain_moment(a, b, theta) for a, b in ((1, 1), (2, 2), (3, 1)))
    D, K, L = one_layer_parts(j11, j22, j31)
    return 4 - 4 * K / D ** 2, 8 * (j22 + 1) + 8 * K / D ** 2 - 16 * L / D


README_MEAN_01 = [None, -2.0, -7.8, -37, -219, -1570, -13298, -1.3e5, -1.5e6]  # theta = 0.1, k = 1..8

for theta, K in [("0.1", KMAX), ("0.5", min(KMAX, 4)), ("2", min(KMAX, 4))]:
    # cancellation like w^(2K), w = 4/D ~ 4/theta^2: that many extra digits
    mp.mp.dps = 40 + int(2 * K * mp.log10(4 / mp.sin(min(mp.mpf(theta), mp.pi / 2)) ** 2))
    th = mp.mpf(theta)
    mean, var = expansion(th, K)
    m1, v1 = closed_first_order(th)
    close("theta = %s: mean_1 = mu_1 = 4 - 4K/D^2" % theta, mean[1], m1, rel=1e-30)
    close("theta = %s: var_1 = sigma_1^2" % theta, var[1], v1, rel=1e-30)
    print("      theta = %s: mean_k = %s" % (theta, [mp.nstr(x, 6) for x in mean[1:]]))
    print("      theta = %s: var_k  = %s" % (theta, [mp.nstr(x, 6) for x in var[1:]]))
    if theta == "0.1":
        for k in range(1, K + 1):
            close("theta = 0.1: mean_%d as quoted in docs/cli.md" % k, mean[k], README_MEAN_01[k], rel=0.05)
        ratios = [mean[k + 1] / mean[k] for k in range(1, K)]
        print("      ratios mean_{k+1}/mean_k = %s" % [mp.nstr(x, 3) for x in ratios])
    if relumix("bessel", "2") is not None:
        # relumix angle --order k at n = 2: mu_k - mu_{k-1} = mean_k / 2^k (likewise sigma^2)
        prev = None
        for k in range(1, K + 1):
            j = relumix("angle", "-n", "2", "-t", theta, "--order", str(k), "-d", "40")
            if k == 1:
                # order 1 is the paper's form; the strict series starts from ln D
                cur = (mp.log(1 - 4 * plain_moment(1, 1, th) ** 2) + mean[1] / 2, var[1] / 2)
            else:
                cur = (mp.mpf(j["mu"]), mp.mpf(j["sigma2"]))
                close("relumix angle --order %d at theta = %s: mean_%d" % (k, theta, k), (cur[0] - prev[0]) * 2 ** k,
                      mean[k], rel=1e-25, abs_=1e-25)
                close("relumix angle --order %d at theta = %s: var_%d" % (k, theta, k), (cur[1] - prev[1]) * 2 ** k,
                      var[k], rel=1e-25, abs_=1e-25)
            prev = cur

# the poles of w = 4/D (order 2 at theta = 0) cancel: mean_2 and var_2 have finite limits at theta -> 0
vals = []
for theta in ("1e-3", "1e-4"):
    mp.mp.dps = 40 + int(4 * mp.log10(4 / mp.mpf(theta) ** 2))
    m, v = expansion(mp.mpf(theta), 2)
    vals.append((m[2], v[2]))
check("mean_2, var_2 stay finite as theta -> 0 (poles of 1/D cancel)",
      abs(vals[0][0] - vals[1][0]) < 5e-2 and abs(vals[0][1] - vals[1][1]) < 5e-2,
      "mean_2: %s, %s; var_2: %s, %s" % tuple(mp.nstr(x, 8) for x in (vals[0][0], vals[1][0], vals[0][1], vals[1][1])))
finish()
