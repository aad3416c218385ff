#!/usr/bin/env python3
"""The Python module's speed figures of issue 13, in one run (docs/python.md, "Speed"):

1. relumix.J(a, b, ndarray) on 10^6 angles against a plain numpy float64 evaluation of the same closed
   form (numpy.polyval), values/s of both and the worst ulp error of both on a sample of the angles
   (uniform, and close to 0 and to pi) against mpmath at 40 digits (the closed form's exact rationals);
2. the per-call time of J(1, 1, "pi/3", digits=50) from Python against the same work (parse the angle,
   moment_value) timed inside C++;
3. mc(...) of figure 1 (256x32, theta0 = 0.1, 5000 samples) from Python against the CLI's
   `relumix mc --json` (wall time of the process, and the run time the CLI reports).

    PYTHONPATH=build/python python3 tools/bench/python_speed.py [--relumix build/tools/relumix]
"""
import argparse
import json
import os
import subprocess
import time

import mpmath
import numpy as np

import relumix


def best(f, reps):
    t = []
    for _ in range(reps):
        t0 = time.perf_counter()
        f()
        t.append(time.perf_counter() - t0)
    return min(t)


def numpy_closed_form(cf, t):
    rho = np.cos(t)
    if cf.parity == "even":
        P = np.array([float(c) for c in cf.P][::-1] or [0.0])
        Q = np.array([float(c) for c in cf.Q][::-1] or [0.0])
        return ((np.pi - t) * np.polyval(P, rho) + np.sin(t) * np.polyval(Q, rho)) / (2 * np.pi)
    R = np.array([float(c) for c in cf.R][::-1])
    return np.polyval(R, rho) / np.sqrt(2 * np.pi)


def mp_closed_form(cf, t):
    # 160 digits: the closed form cancels near pi (J ~ (pi - theta)^(a+b+1), 1e-48 at 1e-8 from pi for a+b = 5)
    with mpmath.workdps(160):
        t = mpmath.mpf(float(t))
        rho = mpmath.cos(t)
        poly = lambda c: mpmath.fsum(mpmath.mpf(q.numerator) / q.denominator * rho ** k for k, q in enumerate(c))
        if cf.parity == "even":
            return ((mpmath.pi - t) * poly(cf.P) + mpmath.sin(t) * poly(cf.Q)) / (2 * mpmath.pi)
        return poly(cf.R) / mpmath.sqrt(2 * mpmath.pi)


def worst_ulp(values, ref):
    w = 0.0
    with mpmath.workdps(160):
        for v, r in zip(values, ref):
            sp = np.spacing(abs(float(r))) if r != 0 else np.finfo(float).tiny
            w = max(w, float(abs(mpmath.mpf(float(v)) - r) / sp))
    return w


def part_J(a, b):
    rng = np.random.default_rng(1)
    t = rng.uniform(0, np.pi, 10 ** 6)
    cf = relumix.closed_form(a, b)
    relumix.J(a, b, t[:10])
    tr = best(lambda: relumix.J(a, b, t), 5)
    tn = best(lambda: numpy_closed_form(cf, t), 5)
    sample = np.concatenate([t[:3000], np.pi - 10.0 ** rng.uniform(-8, 0, 500), 10.0 ** rng.uniform(-8, 0, 500)])
    ref = [mp_closed_form(cf, x) for x in sample]
    ur = worst_ulp(relumix.J(a, b, sample), ref)
    un = worst_ulp(numpy_closed_form(cf, sample), ref)
    print("J_{%d,%d} on 1e6 angles: relumix %.3g values/s (%.1f ms), numpy.polyval %.3g values/s (%.1f ms): "
          "relumix takes %.2fx numpy's time; worst ulp on %d angles (uniform, near 0, near pi): relumix %.2f, numpy %.3g"
          % (a, b, 1e6 / tr, tr * 1e3, 1e6 / tn, tn * 1e3, tr / tn, len(sample), ur, un))


def part_digits():
    reps = 3000
    relumix.J(1, 1, "pi/3", digits=50)
    tp = best(lambda: [relumix.J(1, 1, "pi/3", digits=50) for _ in range(reps)], 3) / reps
    tc = min(relumix._core._time_moment_value(1, 1, "pi/3", 50, reps) for _ in range(3))
    print("J(1, 1, 'pi/3', digits=50): %.2f us per call from Python, %.2f us in C++: ratio %.2f"
          % (tp * 1e6, tc * 1e6, tp / tc))


def part_mc(exe):
    args = dict(samples=5000, seed=1)
    relumix.mc("256x32", 0.1, **args)
    runs = []
    for _ in range(5):
        t0 = time.perf_counter()
        r = relumix.mc("256x32", 0.1, **args)
        runs.append((time.perf_counter() - t0, r["seconds"]))
    py_wall = min(w for w, _ in runs)
    cli = []
    for _ in range(5):
        t0 = time.perf_counter()
        out = subprocess.run([exe, "--json", "mc", "--widths", "256x32", "--theta0", "0.1", "--samples", "5000",
                              "--seed", "1"], check=True, capture_output=True, text=True)
        cli.append((time.perf_counter() - t0, json.loads(out.stdout)["seconds"]))
    cli_wall = min(w for w, _ in cli)
    cli_run = min(s for _, s in cli)
    print("mc figure 1 (256x32, 5000 samples, all cores): Python call %.1f ms; CLI process %.1f ms (its run %.1f ms): "
          "Python/CLI process %.3f, Python/CLI run %.3f" % (py_wall * 1e3, cli_wall * 1e3, cli_run * 1e3,
                                                           py_wall / cli_wall, py_wall / cli_run))


def main():
    ap = argparse.ArgumentParser(description="relumix Python speed figures (issue 13)")
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--relumix", default=os.path.join(here, "..", "..", "build", "tools", "relumix"))
    a = ap.parse_args()
    part_J(1, 1)
    part_J(2, 3)
    part_digits()
    part_mc(a.relumix)


if __name__ == "__main__":
    main()
