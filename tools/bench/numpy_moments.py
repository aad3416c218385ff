#!/usr/bin/env python3
"""The numpy yardstick of issue 18 for relumix's double path, in one run.

numpy evaluates the same closed forms in plain float64 over an array of 10^6 angles uniform on
[0, pi]: J = ((pi - t) polyval(P, cos t) + sin t polyval(Q, cos t)) / (2 pi) for a+b even,
polyval(R, cos t) / sqrt(2 pi) for a+b odd (coefficients from `relumix moment A B --json`). Its
CPU time per value (best of 5, time.thread_time) is printed next to relumix's batch API on the same
kind of array (bench_eval's BM_DoubleBatch, one thread, CPU time per value), with the ratio
relumix / numpy. The last column is numpy's worst error on 200 angles near pi (theta in
[pi - 0.1, pi]) in ulp, against mpmath at 80 digits (relumix's double path is held to <= 1 ulp
there by its tests).

Then mu(theta, n) and sigma^2(theta, n) of order 1 (the paper's O(1/n) forms, SPEC section 4) at
n = 256: numpy evaluates J11, J22, J31 from one cos and one sin per angle and the forms in float64
(both values per angle), next to relumix's mu_sigma2_double (bench_eval's BM_MuSigma2Batch, one
thread, CPU time per angle); numpy's worst errors near 0 (theta in (0, 0.01]) and near pi, in ulp,
against mpmath at 80 digits.

    /usr/bin/python3 tools/bench/numpy_moments.py [--build build]
"""
import argparse
import json
import subprocess
import time
from fractions import Fraction

import mpmath as mp
import numpy as np

PAIRS = [(1, 1), (2, 1), (2, 2), (3, 1), (5, 5), (6, 3)]


class Form:
    def __init__(self, relumix, a, b):
        j = json.loads(subprocess.check_output([relumix, "moment", str(a), str(b), "--json"]))
        self.even = j["parity"] == "even"
        self.exact = {k: [Fraction(c) for c in j.get(k, [])] for k in ("P", "Q", "R")}
        # numpy.polyval wants the highest power first
        self.f64 = {k: np.array([float(c) for c in v][::-1] or [0.0]) for k, v in self.exact.items()}

    def numpy(self, t):
        c = np.cos(t)
        if self.even:
            return ((np.pi - t) * np.polyval(self.f64["P"], c) + np.sin(t) * np.polyval(self.f64["Q"], c)) / (2 * np.pi)
        return np.polyval(self.f64["R"], c) / np.sqrt(2 * np.pi)

    def mpmath(self, x):
        t = mp.mpf(float(x))
        r, s = mp.cos(t), mp.sin(t)
        poly = lambda k: sum(mp.mpf(c.numerator) / c.denominator * r**i for i, c in enumerate(self.exact[k]))
        if self.even:
            return ((mp.pi - t) * poly("P") + s * poly("Q")) / (2 * mp.pi)
        return poly("R") / mp.sqrt(2 * mp.pi)


def paper_forms(j11, j22, j31, n, log):
    """mu and sigma^2 of order 1 (SPEC section 4) from J11, J22, J31, in numpy's or mpmath's arithmetic."""
    a2 = j11 * j11
    D, E = 1 - 4 * a2, n - 1 + 4 * j22
    K = 8 * a2 * j22 - 8 * a2 * a2 + 4 * a2 - 8 * j11 * j31 + j22 + 1
    L = 2 * a2 - 4 * j11 * j31 + j22 + 1
    KD = 4 * n * K / ((n - 1) ** 2 * D * D)
    return (log((n - 1) * D / E) + 4 * n * (j22 + 1) / E**2 - KD,
            8 * n * (j22 + 1) / E**2 + 2 * KD - 16 * n * L / (E * (n - 1) * D))


def numpy_mu_sigma2(forms, t, n):
    c, s = np.cos(t), np.sin(t)
    pt = np.pi - t
    j11, j22, j31 = (((pt * np.polyval(f.f64["P"], c) + s * np.polyval(f.f64["Q"], c)) / (2 * np.pi)) for f in forms)
    return paper_forms(j11, j22, j31, n, np.log)


def mpmath_mu_sigma2(forms, x, n):
    return paper_forms(*(f.mpmath(x) for f in forms), mp.mpf(n), mp.log)


def ulp(got, want):
    return float(abs(mp.mpf(float(got)) - want)) / np.spacing(abs(float(want)))


def cpu_per_value(f, t, reps=5):
    best = float("inf")
    for _ in range(reps):
        t0 = time.thread_time()
        f(t)
        best = min(best, time.thread_time() - t0)
    return best / t.size


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    args = ap.parse_args()
    relumix, bench = f"{args.build}/tools/relumix", f"{args.build}/tools/bench_eval"
    rng = np.random.default_rng(1)
    t = rng.uniform(0, np.pi, 1_000_000)
    near = np.pi - rng.uniform(0, 0.1, 200)
    mp.mp.dps = 80
    out = subprocess.check_output([bench, "--benchmark_filter=BM_DoubleBatch/|BM_MuSigma2Batch/",
                                   "--benchmark_format=json", "--benchmark_min_time=0.5"])
    ours = {}
    for r in json.loads(out)["benchmarks"]:
        parts = r["name"].split("/")
        if parts[0] == "BM_MuSigma2Batch":
            ours["mu_sigma2"] = r["time_per_value"]
            continue
        a, b = map(int, parts[1:3])
        ours[(a, b)] = r["time_per_value"]
    print("| value | relumix (batch, 1 thread) | numpy float64 | ratio | numpy's worst error near pi |")
    print("|---|---|---|---|---|")
    for a, b in PAIRS:
        form = Form(relumix, a, b)
        tn = cpu_per_value(form.numpy, t)
        got = form.numpy(near)
        err = max(float(abs(mp.mpf(float(g)) - e)) / np.spacing(abs(float(e))) for g, e in zip(got, map(form.mpmath, near)))
        print(f"| J_{{{a},{b}}} | {ours[(a, b)] * 1e9:.1f} ns | {tn * 1e9:.1f} ns | {ours[(a, b)] / tn:.2f} | {err:.3g} ulp |")
    n = 256
    forms = [Form(relumix, 1, 1), Form(relumix, 2, 2), Form(relumix, 3, 1)]
    tn = cpu_per_value(lambda x: numpy_mu_sigma2(forms, x, n), t)
    small = rng.uniform(0, 0.01, 100)
    errs = []
    for pts in (small, near[:100]):
        gm, gs = numpy_mu_sigma2(forms, pts, n)
        em = es = 0.0
        for x, m, s in zip(pts, gm, gs):
            wm, ws = mpmath_mu_sigma2(forms, x, n)
            em, es = max(em, ulp(m, wm)), max(es, ulp(s, ws))
        errs.append((em, es))
    ms = ours["mu_sigma2"]
    print(f"| mu and sigma^2 (order 1, n = {n}) | {ms * 1e9:.1f} ns | {tn * 1e9:.1f} ns | {ms / tn:.2f} | "
          f"mu {errs[1][0]:.3g}, sigma^2 {errs[1][1]:.3g} ulp; near 0: mu {errs[0][0]:.3g}, sigma^2 {errs[0][1]:.3g} ulp |")
    print("\nper value (mu and sigma^2: per angle, both values), CPU time; 10^6 angles uniform on [0, pi]; numpy",
          np.__version__)


if __name__ == "__main__":
    main()
