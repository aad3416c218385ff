#!/usr/bin/env python3
"""numpy baselines for the Monte Carlo speed comparison of issues 5 and 16.

Times (one run each, this machine):
  chain : vectorized numpy simulation of the reduced chain of SPEC section 1
          (all samples of a layer at once), n = 256, L = 32, S = 5000 (figure 1);
  dense : the same with explicit 256 x 256 Gaussian weight matrices (batched matmul),
          with fewer samples, extrapolated linearly to S = 5000.
Compare with `bench_mc --benchmark_filter=Figure1` (relumix); tools/bench/mc_speed.sh runs the two
side by side. Run numpy on one thread: OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 (the chain is
elementwise work, single-threaded anyway). Wall time and the process's CPU time are printed (the
CPU time is the fairer figure on a loaded machine).

Usage: /usr/bin/python3 tools/bench/numpy_baseline.py [--samples 5000] [--dense-samples 100] [--repeat 1]
"""
import argparse
import time

import numpy as np


def chain(n, L, theta0, S, rng):
    theta = np.full(S, theta0)
    out = np.empty((L, S))
    for l in range(L):
        c, s = np.cos(theta)[:, None], np.sin(theta)[:, None]
        g = rng.standard_normal((S, n))
        z = rng.standard_normal((S, n))
        gh = c * g + s * z
        x, y = np.maximum(g, 0), np.maximum(gh, 0)
        cosn = (x * y).sum(1) / np.sqrt((x * x).sum(1) * (y * y).sum(1))
        theta = np.arccos(np.clip(cosn, -1, 1))
        out[l] = np.log(np.sin(theta) ** 2)
    return out


def dense(n, L, theta0, S, rng):
    ha = np.zeros((S, 2)); ha[:, 0] = 1
    hb = np.zeros((S, 2)); hb[:, 0] = np.cos(theta0); hb[:, 1] = np.sin(theta0)
    out = np.empty((L, S))
    for l in range(L):
        nin = ha.shape[1]
        W = rng.standard_normal((S, n, nin)) * np.sqrt(2 / nin)
        ha = np.maximum(np.einsum("sij,sj->si", W, ha), 0)
        hb = np.maximum(np.einsum("sij,sj->si", W, hb), 0)
        c = (ha * hb).sum(1) / np.sqrt((ha * ha).sum(1) * (hb * hb).sum(1))
        out[l] = np.log1p(-np.clip(c, -1, 1) ** 2)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=5000)
    ap.add_argument("--dense-samples", type=int, default=100, help="0: skip the dense matrices")
    ap.add_argument("--repeat", type=int, default=1, help="time the chain this many times")
    a = ap.parse_args()
    rng = np.random.default_rng(1)
    for _ in range(a.repeat):
        t, c = time.perf_counter(), time.process_time()
        x = chain(256, 32, 0.1, a.samples, rng)
        tc, cc = time.perf_counter() - t, time.process_time() - c
        print(f"numpy chain  n=256 L=32 S={a.samples}: {tc:.3f} s wall, {cc:.3f} s cpu  (layer 32 mean {x[-1].mean():.4f})")
    if a.dense_samples > 0:
        t = time.perf_counter()
        dense(256, 32, 0.1, a.dense_samples, rng)
        td = time.perf_counter() - t
        print(f"numpy dense  n=256 L=32 S={a.dense_samples}: {td:.3f} s  -> S={a.samples}: {td * a.samples / a.dense_samples:.1f} s (extrapolated)")


if __name__ == "__main__":
    main()
