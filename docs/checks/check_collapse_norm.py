"""Checks of docs/theory.md section 8 (collapse of deep narrow networks, the product law of the norm).
Run: /usr/bin/python3 docs/checks/check_collapse_norm.py (under a minute). Statistical checks
use fixed seeds and 4.5 standard errors."""
import os
import re

import numpy as np
import mpmath as mp

from common import check, close, finish, relu, relumix, zcheck

rng = np.random.default_rng(7)
mp.mp.dps = 40


# ---- collapse: a real network (weight matrices, width N, input dimension N), with and without
# N(0,1) biases: the first dead layer has the same law 1 - (1 - 2^-N)^L either way
def first_dead_layer(S, N, L, biases):
    h = np.abs(rng.standard_normal((S, N))) + 0.1
    first = np.zeros(S, dtype=int)
    for l in range(1, L + 1):
        z = np.einsum("sij,sj->si", rng.standard_normal((S, N, N)) * np.sqrt(2.0 / N), h)
        if biases:
            z += rng.standard_normal((S, N))
        h = relu(z)
        first[(first == 0) & ~(h > 0).any(1)] = l
    return first


S, N, L = 200000, 3, 6
for biases in (False, True):
    p_hat = (first_dead_layer(S, N, L, biases) > 0).mean()
    zcheck("network N = 3%s: P(dead by depth 6) = 1 - (1 - 2^-N)^L" % (" with N(0,1) biases" if biases else ""),
           p_hat, np.sqrt(p_hat * (1 - p_hat) / S), 1 - (1 - 2.0 ** -N) ** L)


def safe_depth(N, eps):
    """Largest L with 1 - (1 - 2^-N)^L < eps."""
    eps = mp.mpf(eps)
    x = mp.log(1 - eps) / mp.log(1 - mp.mpf(2) ** -N)
    L = int(mp.ceil(x)) - 1
    while 1 - (1 - mp.mpf(2) ** -N) ** (L + 1) < eps:
        L += 1
    while L > 0 and not (1 - (1 - mp.mpf(2) ** -N) ** L < eps):
        L -= 1
    return L


here = os.path.dirname(os.path.abspath(__file__))
table = os.path.join(here, "..", "..", "tables", "collapse_safe_region.md")
rows = 0
for line in open(table):
    m = re.match(r"\|\s*(\d+)\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|", line)
    if m:
        N, l2, l3, l6 = map(int, m.groups())
        ok = (safe_depth(N, "1e-2"), safe_depth(N, "1e-3"), safe_depth(N, "1e-6")) == (l2, l3, l6)
        if not ok:
            check("tables/collapse_safe_region.md row N = %d" % N, False)
        rows += 1
check("tables/collapse_safe_region.md: L(eps) = ceil(ln(1-eps)/ln(1-2^-N)) - 1 on all %d rows" % rows, rows > 10)
close("safe depth at N = 64, eps = 1e-6 is about eps 2^64", safe_depth(64, "1e-6"), mp.mpf("1e-6") * mp.mpf(2) ** 64, rel=1e-6)


# ---- the norm: per layer ||relu(z')||^2 / ||relu(z)||^2 = (2/n) chi^2_K, K ~ Bin(n, 1/2), K >= 1
def norm_law(n):
    W = mp.mpf(2) ** n - 1
    m = e2 = v = mp.mpf(0)
    for k in range(1, n + 1):
        w = mp.binomial(n, k) / W
        p = mp.digamma(mp.mpf(k) / 2)
        m, e2, v = m + w * p, e2 + w * p * p, v + w * mp.psi(1, mp.mpf(k) / 2)
    return m + mp.log(mp.mpf(4) / n), v + e2 - m * m


m16, v16 = norm_law(16)
close("n = 16: mean per layer (docs/cli.md: -0.1763973244)", m16, mp.mpf("-0.1763973244"), abs_=6e-11)
close("n = 16: variance per layer (docs/cli.md: 0.4195933941)", v16, mp.mpf("0.4195933941"), abs_=6e-11)
close("n = 16: mean = 3254141381/1312010700 + 65534/65535 ln 2 - gamma - ln 16", m16,
      mp.mpf(3254141381) / 1312010700 + mp.mpf(65534) / 65535 * mp.log(2) - mp.euler - mp.log(16), rel=1e-35)
for n in (64, 1024):
    m, v = norm_law(n)
    close("n = %d: mean per layer ~ -5/(2n)" % n, m * n, -2.5, rel=8.0 / n)
    close("n = %d: variance per layer ~ 5/n" % n, v * n, 5, rel=8.0 / n)
# digamma and trigamma at half-integers: the closed forms used
for k in (1, 2, 7, 10):
    j = k // 2
    if k % 2 == 0:
        d, t = -mp.euler + sum(mp.mpf(1) / i for i in range(1, j)), mp.pi ** 2 / 6 - sum(mp.mpf(1) / i ** 2 for i in range(1, j))
    else:
        d = -mp.euler - 2 * mp.log(2) + sum(mp.mpf(2) / (2 * i - 1) for i in range(1, j + 1))
        t = mp.pi ** 2 / 2 - 4 * sum(mp.mpf(1) / (2 * i - 1) ** 2 for i in range(1, j + 1))
    close("psi(%d/2)" % k, d, mp.digamma(mp.mpf(k) / 2), rel=1e-35)
    close("psi'(%d/2)" % k, t, mp.psi(1, mp.mpf(k) / 2), rel=1e-35)

# a real network (weight matrices), width 8, depth 3, conditioned on no collapse
S, n, L = 200000, 8, 3
x = rng.standard_normal((S, n))
h = x.copy()
X = np.zeros(S)
alive = np.ones(S, dtype=bool)
for l in range(L):
    z = np.einsum("sij,sj->si", rng.standard_normal((S, n, n)) * np.sqrt(2.0 / n), h)
    hn = relu(z)
    q = (hn * hn).sum(1)
    alive &= q > 0
    X[alive] += np.log(q[alive] / (h[alive] * h[alive]).sum(1))
    h = hn
Xa = X[alive]
m8, v8 = norm_law(n)
zcheck("network n = 8, L = 3: E[ln |relu(z^L)|^2/|x|^2 | no collapse] = L m", Xa.mean(), Xa.std() / np.sqrt(Xa.size), float(3 * m8))
m4c = ((Xa - Xa.mean()) ** 4).mean()
zcheck("network n = 8, L = 3: Var = L v", Xa.var(), np.sqrt((m4c - Xa.var() ** 2) / Xa.size), float(3 * v8))

if relumix("bessel", "2") is not None:
    j = relumix("norm", "-n", "100", "-L", "7", "-d", "25")
    m, v = norm_law(100)
    close("relumix norm n = 100, L = 7: mean", mp.mpf(j["mean"]), 7 * m, rel=1e-24)
    close("relumix norm n = 100, L = 7: var", mp.mpf(j["var"]), 7 * v, rel=1e-24)
    j = relumix("collapse", "-n", "10", "-L", "1000", "-d", "25")
    close("relumix collapse n = 10, L = 1000", mp.mpf(j["probability"]), 1 - (1 - mp.mpf(2) ** -10) ** 1000, rel=1e-24)
finish()
