#!/usr/bin/env python3
"""Baseline for issue 3: J_{a,b}(theta) at 50 digits by mpmath quadrature.

Uses the integral representation J_{a,b}(theta) = E[R^n]/(2 pi) * int_0^phi sin^a(u) sin^b(phi-u) du,
phi = pi - theta, n = a + b, E[R^n] = 2^(n/2) Gamma(1 + n/2) (R the radius of a 2-d Gaussian),
integrated with mpmath.quad (tanh-sinh). Prints the mean time per value; compare with
build/tools/bench_eval --benchmark_filter=Grid50 (time_per_value).

    /usr/bin/python3 tools/bench/mpmath_baseline.py [points]
"""
import sys
import time

import mpmath as mp


def J(a, b, theta):
    n = a + b
    phi = mp.pi - theta
    er = mp.power(2, mp.mpf(n) / 2) * mp.gamma(1 + mp.mpf(n) / 2)
    return er / (2 * mp.pi) * mp.quad(lambda u: mp.sin(u) ** a * mp.sin(phi - u) ** b, [0, phi])


def main():
    points = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    mp.mp.dps = 50 + 5
    for a, b in [(1, 1), (3, 3), (5, 5), (6, 3)]:
        t0, c0 = time.perf_counter(), time.process_time()
        for i in range(1, points + 1):
            J(a, b, mp.pi * i / (points + 1))
        dt, dc = (time.perf_counter() - t0) / points, (time.process_time() - c0) / points
        print(f"mpmath quad, 50 digits, J_{{{a},{b}}}: {dc * 1e3:.2f} ms CPU, {dt * 1e3:.2f} ms wall per value ({points} points)")
    # sanity: the reference value J_{1,1}(0.3)
    mp.mp.dps = 55
    print("J_{1,1}(0.3) =", mp.nstr(J(1, 1, mp.mpf("0.3")), 50))


if __name__ == "__main__":
    main()
