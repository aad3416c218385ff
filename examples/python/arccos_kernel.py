#!/usr/bin/env python3
"""The arc-cosine kernel (order 1) of a small data set of nearly parallel vectors at depth 1..50:
relumix.arccos_kernel next to the naive float64 recursion (arccos of the normalized kernel, as most
kernel libraries compute it). What tells two inputs apart at depth l is the angle theta^l between
their features; the plot shows its relative error against an mpmath reference, for both.

    PYTHONPATH=build/python python3 examples/python/arccos_kernel.py --out docs/arccos_kernel.png
"""
import argparse

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import mpmath
import numpy as np

import relumix


def naive_angles(X, depth):
    """Cho & Saul's recursion in float64: theta = arccos(k / sqrt(k_xx k_yy)); the angle at each depth."""
    K = X @ X.T
    out = []
    for _ in range(depth):
        d = np.sqrt(np.diag(K))
        t = np.arccos(np.clip(K / np.outer(d, d), -1, 1))
        K = np.outer(d, d) * (np.sin(t) + (np.pi - t) * np.cos(t)) / np.pi
        d = np.sqrt(np.diag(K))
        out.append(np.arccos(np.clip(K[0, 1] / (d[0] * d[1]), -1, 1)))
    return out


def reference_angles(x, y, depth):
    """theta^l, l = 1..depth, from the exact angle between the rows and the map
    cos f = (sin t + (pi - t) cos t)/pi, at 40 digits."""
    out = []
    with mpmath.workdps(40):
        x = [mpmath.mpf(float(v)) for v in x]
        y = [mpmath.mpf(float(v)) for v in y]
        xx = mpmath.fsum(u * u for u in x)
        yy = mpmath.fsum(v * v for v in y)
        xy = mpmath.fsum(u * v for u, v in zip(x, y))
        t = mpmath.atan2(mpmath.sqrt(xx * yy - xy * xy), xy)
        for _ in range(depth):
            t = mpmath.acos((mpmath.sin(t) + (mpmath.pi - t) * mpmath.cos(t)) / mpmath.pi)
            out.append(t)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="arccos_kernel.png")
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    base = rng.normal(size=16)
    angles = [1e-9, 1e-6, 1e-3, 0.5]
    rows = [base]
    for a in angles:  # rows at angle a from the first one
        p = rng.normal(size=16)
        p -= (p @ base) / (base @ base) * base
        rows.append(np.cos(a) * base + np.sin(a) * np.linalg.norm(base) * p / np.linalg.norm(p))
    X = np.array(rows)
    D = 50
    fig, ax = plt.subplots(figsize=(7.5, 4.4))
    for i, a in enumerate(angles, start=1):
        ref = reference_angles(X[0], X[i], D)
        naive = naive_angles(X[[0, i]], D)
        good = [relumix.arccos_kernel(X[0], X[i], depth=L, angles=True)[1][0, 0] for L in range(1, D + 1)]
        err_good = [max(float(abs((g - r) / r)), 1e-17) for g, r in zip(good, ref)]
        err_naive = [max(float(abs((n - r) / r)), 1e-17) for n, r in zip(naive, ref)]
        ax.semilogy(range(1, D + 1), err_naive, "--", color="C%d" % i, label="naive float64, angle %g" % a)
        ax.semilogy(range(1, D + 1), err_good, "-", color="C%d" % i, label="relumix, angle %g" % a)
        print("angle %-6g worst relative error of theta^l, depths 1..%d: relumix %.2g, naive %.2g"
              % (a, D, max(err_good), max(err_naive)))
    ax.set_xlabel("depth l")
    ax.set_ylabel(r"relative error of $\theta^l$")
    ax.set_title("arc-cosine kernel (order 1) of nearly parallel inputs")
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(args.out, dpi=110)
    print("->", args.out)


if __name__ == "__main__":
    main()
