#!/usr/bin/env python3
"""Independent reference values of C(theta0) for tests/unit/test_angle.cpp ("C(theta0) proven").

Not relumix's route (theory 4.1): iterate the infinite-width map f in mpmath and fit the large-depth
expansion by least squares,
    D_l = 1/theta^l - l/(3 pi) - ln(l)/(2 pi) = C + sum_{j=1..J} sum_{i=0..j} c_ji ln(l)^i / l^j,
at 41 depths spread over [Lmax/10, Lmax]; C is the fitted constant. The spread of the fits (J = 3, 4,
the upper half of the depths) is the estimate of its error.

    python3 depth_constant_reference.py THETA0 [LMAX [L0]]   (THETA0 a Python expression: "mpf('0.1')", "pi/2")
    python3 depth_constant_reference.py "mpf('1e-3')" 40000 9425

W=p/q sets the map weight w of phi_alpha (cos f = cos t + w (sin t - t cos t)/pi; 1/theta^l =
w l/(3 pi) + w ln(l)/(2 pi) + C + ...): W=2 abs, W=81/101 leaky:0.1, W=1/5 leaky:0.5, W=9/5 leaky:-0.5.
L0 shifts the depth variable to n = l + L0 (the expansion holds in n too, C = C' + w L0/(3 pi));
L0 = 3 pi/theta0 helps small theta0. Run on 2026-12-03 with mpmath 1.3.0 at 50 digits, LMAX = 40000,
L0 = 0 (9425 for 1e-3).
Small w (alpha > 1/2: W=2/17 leaky:0.6, W=1/25 leaky:0.75, W=1/181 leaky:0.9): the expansion is in
u = 1/theta, so the depth must grow like 1/w; run with DPS=40, LMAX = 600/a (u = 600 at the end,
a = w/(3 pi)) and L0 = 1/(a theta0), e.g. for leaky:0.9 from 0.1
    DPS=40 W=1/181 python3 depth_constant_reference.py "mpf('0.1')" 1023531 17059
(2026-12-03, mpmath 1.3.0; LMAX 48066, 141372, 1023531 and L0 801, 2356, 17059 from 0.1, 51, 150, 1086
from pi/2 for the three weights; about 80 s for leaky:0.9).
"""
import os
import sys

import mpmath as mp

mp.mp.dps = int(os.environ.get("DPS", "50"))
pi = mp.pi


# the map weight w = (1 - alpha)^2/(1 + alpha^2) of phi_alpha (1: ReLU, 2: abs), environment W (a fraction)
_w = [int(x) for x in os.environ.get("W", "1").split("/")]
W = mp.mpf(_w[0]) / (_w[1] if len(_w) > 1 else 1)


def f(t):
    # 1 - cos f = 2 sin^2(t/2) - w (sin t - t cos t)/pi ; f = 2 asin(sqrt((1 - cos f)/2))
    v = 2 * mp.sin(t / 2) ** 2 - W * (mp.sin(t) - t * mp.cos(t)) / pi
    return 2 * mp.asin(mp.sqrt(v / 2))


def run(t0, lmax, samples, l0):
    # D at the shifted depth n = l + l0 (the expansion holds in n as well, with C' = C - w l0/(3 pi));
    # l0 = 3 pi/theta0 puts small theta0 at its natural origin
    t, out = t0, {}
    for l in range(1, lmax + 1):
        t = f(t)
        if l in samples:
            n = l + l0
            out[n] = 1 / t - W * n / (3 * pi) - W * mp.log(n) / (2 * pi) + W * mp.mpf(l0) / (3 * pi)
    return out


def fit(D, J):
    ls = sorted(D)
    cols = [(0, 0)] + [(j, i) for j in range(1, J + 1) for i in range(j + 1)]
    A = mp.matrix(len(ls), len(cols))
    b = mp.matrix(len(ls), 1)
    for r, l in enumerate(ls):
        for c, (j, i) in enumerate(cols):
            A[r, c] = mp.log(l) ** i / mp.mpf(l) ** j
        b[r] = D[l]
    # columns scaled to unit size: the normal equations stay well conditioned enough for mpmath's LU
    scale = [max(abs(A[r, c]) for r in range(len(ls))) for c in range(len(cols))]
    for r in range(len(ls)):
        for c in range(len(cols)):
            A[r, c] /= scale[c]
    return mp.lu_solve(A.T * A, A.T * b)[0] / scale[0]


if __name__ == "__main__":
    t0 = eval(sys.argv[1], {"pi": pi, "mpf": mp.mpf})
    lmax = int(sys.argv[2]) if len(sys.argv) > 2 else 40000
    l0 = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    samples = set(int(lmax * (0.1 + 0.9 * k / 40)) for k in range(41))
    D = run(mp.mpf(t0), lmax, samples, l0)
    for J in (2, 3, 4):
        print(J, mp.nstr(fit(D, J), 20))
    half = {n: v for n, v in D.items() if n - l0 >= lmax // 2}
    print("upper half J=3", mp.nstr(fit(half, 3), 20))
