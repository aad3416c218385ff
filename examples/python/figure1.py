#!/usr/bin/env python3
"""The paper's figure 1 with relumix from Python: width 256, 32 layers, theta0 = 0.1. The density
prediction (mean and 5-95% band of X = ln sin^2 theta^l by layer) against 5000 simulated networks,
and the predicted density of layer 32 against the samples' histogram.

    PYTHONPATH=build/python python3 examples/python/figure1.py --out docs/figure1.png
"""
import argparse

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import relumix


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="figure1.png", help="the PNG to write")
    ap.add_argument("--samples", type=int, default=5000)
    args = ap.parse_args()

    widths, theta0 = "256x32", "0.1"
    pred = relumix.predict(widths, theta0, density=True)           # the library's default model
    sim = relumix.mc(widths, theta0, samples=args.samples, seed=1, keep=True)

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    L = pred["layer"]
    ax1.fill_between(L, pred["q05"], pred["q95"], color="C0", alpha=0.25, label="prediction 5-95%")
    ax1.plot(L, pred["mean"], color="C0", label="prediction mean")
    ax1.errorbar(sim["layer"], sim["mean"], yerr=[sim["mean"] - sim["q05"], sim["q95"] - sim["mean"]], fmt="o",
                 ms=3, color="C3", elinewidth=0.8, capsize=2, label="Monte Carlo mean, 5-95%")
    ax1.set_xlabel("layer l")
    ax1.set_ylabel(r"$X = \ln \sin^2 \theta^l$")
    ax1.set_title(r"width 256, $\theta^0 = 0.1$")
    ax1.legend(fontsize=8)

    last = sim["x"][-1]
    last = last[~np.isnan(last)]
    ax2.hist(last, bins=60, density=True, color="C3", alpha=0.4, label="Monte Carlo, layer 32")
    ax2.plot(pred["grid"], pred["density"][-1], color="C0", label="predicted density")
    lo, hi = np.quantile(last, [0.0005, 0.9995])
    ax2.set_xlim(lo - 0.5, hi + 0.5)
    ax2.set_xlabel(r"$X$ at layer 32")
    ax2.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(args.out, dpi=110)
    print("layer 32: predicted mean %.4f sd %.4f; Monte Carlo mean %.4f sd %.4f (%d samples) -> %s"
          % (pred["mean"][-1], pred["sd"][-1], sim["mean"][-1], sim["sd"][-1], sim["count"][-1], args.out))


if __name__ == "__main__":
    main()
