#!/usr/bin/env python3
"""Independent reference values of C(theta0) for tests/unit/test_angle.cpp ("C(theta0) proven").

Not relumix's route (theory 4.1): iterate the infinite-width map f in mpmath and fit the large-depth
expansion by least squares,
    D_l = 1/theta^l - l/(3 pi) - ln(l)/(2 pi) = C + sum_{j=1..J} sum_{i=0..j} c_ji ln(l)^i / l^j,
at 41 depths spread over [Lmax/10, Lmax]; C is the fitted constant. The spread of the fits (J = 3, 4,
the upper half of the depths) is the estimate of its error.

    python3 depth_constant_reference.py THETA0 [LMAX [L0]]   (THETA0 a Python expression: "mpf('0.1')", "pi/2")
    python3 depth_constant_reference.py "mpf('1e-3')" 40000 9425

L0 shifts the depth variable to n = l + L0 (the expansion holds in n too, C = C' + L0/(3 pi));
L0 = 3 pi/theta0 helps small theta0. Run on 2026-12-03 with mpmath 1.3.0 at 50 digits, LMAX = 40000,
L0 = 0 (9425 for 1e-3).
"""
import os
import sys

import mpmath as mp

mp.mp.dps = int(os.environ.get("DPS", "50"))
pi = mp.pi


def f(t):
    # 1 - cos f = [2 pi sin^2(t/2) - (sin t - t cos t)]/pi ; f = 2 asin(sqrt((1 - cos f)/2))
    w = (2 * pi * mp.sin(t / 2) ** 2 - (mp.sin(t) - t * mp.cos(t))) / pi
    return 2 * mp.asin(mp.sqrt(w / 2))


def run(t0, lmax, samples, l0):
    # D at the shifted depth n = l + l0 (the expansion holds in n as well, with C' = C - l0/(3 pi));
    # l0 = 3 pi/theta0 puts small theta0 at its natural origin
    t, out = t0, {}
    for l in range(1, lmax + 1):
        t = f(t)
        if l in samples:
            n = l + l0
            out[n] = 1 / t - n / (3 * pi) - mp.log(n) / (2 * pi) + mp.mpf(l0) / (3 * pi)
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
