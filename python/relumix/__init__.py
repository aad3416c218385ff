"""relumix: exact ReLU Gaussian moments J_{a,b}(theta), the angle theory of deep ReLU networks,
layer-by-layer predictions and Monte Carlo, from Python (docs/python.md).

A thin layer over the C++ library (relumix._core): certified values are strings with every digit
correct, double-precision paths return float64 numpy arrays, bad input raises ValueError with the
library's one-line message, Ctrl-C in a long call raises KeyboardInterrupt.
"""
from fractions import Fraction as _Fraction

import numpy as _np

from . import _core
from ._core import J, angle, arccos_kernel, collapse, compare, moment, mu_sigma2, norm, series, verify

__version__ = _core.__version__
__all__ = ["ClosedForm", "closed_form", "J", "moment", "series", "verify", "angle", "mu_sigma2", "predict", "mc",
           "arccos_kernel", "map_series", "decay_series", "collapse", "norm", "compare"]


def _fractions(coeffs):
    return [_Fraction(c) for c in coeffs]


class ClosedForm:
    """The closed form of J_{a,b}(theta), rho = cos theta:
    a+b even: J = [(pi - theta) P(rho) + sin(theta) Q(rho)] / (2 pi);  a+b odd: J = R(rho) / sqrt(2 pi).
    P, Q, R are lists of fractions.Fraction, lowest degree first (empty when absent).
    For an activation other than relu (closed_form(a, b, activation=...)) it is the plain moment M_{a,b}:
    a+b even adds pi U(rho) to the numerator; `activation`, `same`, `opposite` give the reduction
    M = same J_{a,b}(theta) + opposite J_{a,b}(pi - theta) (for relu: "relu", 1, 0, U empty)."""

    def __init__(self, data):
        self.a = data["a"]
        self.b = data["b"]
        self.parity = data["parity"]
        self.P = _fractions(data.get("P", []))
        self.Q = _fractions(data.get("Q", []))
        self.R = _fractions(data.get("R", []))
        self.U = _fractions(data.get("U", []))
        self.activation = data.get("activation", "relu")
        self.same = _Fraction(data.get("same", "1"))
        self.opposite = _Fraction(data.get("opposite", "0"))
        self._latex = data["latex"]

    def latex(self):
        """The closed form in LaTeX (as `relumix moment A B --format latex`)."""
        return self._latex

    def _repr_latex_(self):
        return "$" + self.latex() + "$"

    def sympy(self):
        """The closed form as a sympy expression in the symbol theta (sympy is imported here)."""
        import sympy
        theta = sympy.Symbol("theta")
        rho = sympy.cos(theta)

        def poly(c):
            return sum((sympy.Rational(q.numerator, q.denominator) * rho**k for k, q in enumerate(c)), sympy.Integer(0))
        if self.parity == "even":
            return ((sympy.pi - theta) * poly(self.P) + sympy.sin(theta) * poly(self.Q)
                    + sympy.pi * poly(self.U)) / (2 * sympy.pi)
        return poly(self.R) / sympy.sqrt(2 * sympy.pi)

    def __repr__(self):
        if self.parity == "even":
            return "ClosedForm(a=%d, b=%d, even, P=%s, Q=%s)" % (self.a, self.b, [str(c) for c in self.P],
                                                               [str(c) for c in self.Q])
        return "ClosedForm(a=%d, b=%d, odd, R=%s)" % (self.a, self.b, [str(c) for c in self.R])


def closed_form(a, b, activation="relu"):
    """The exact closed form of J_{a,b} (a ClosedForm), or with activation="abs" / "leaky:ALPHA" that of the
    plain moment M_{a,b} = same J_{a,b}(theta) + opposite J_{a,b}(pi - theta):
    2 pi M = (pi - theta) P + sin(theta) Q + pi U (a+b even), sqrt(2 pi) M = R (a+b odd)."""
    return ClosedForm(_core._closed_form(a, b, activation))


def _columns(layers):
    """A list of per-layer dicts -> a dict of numpy arrays (nested dicts likewise); None -> NaN."""
    out = {}
    if not layers:
        return out
    for key in layers[0]:
        vals = [L.get(key) for L in layers]
        first = vals[0]
        if isinstance(first, dict) and key != "hist":
            out[key] = _columns(vals)
        elif key == "hist":
            out[key] = vals
        elif all(isinstance(v, int) and not isinstance(v, bool) for v in vals):
            out[key] = _np.array(vals, dtype=_np.int64)
        else:
            out[key] = _np.array([_np.nan if v is None else v for v in vals], dtype=_np.float64)
    return out


def predict(widths, theta0, method=None, model=None, order=None, full_mean=None, full_variance=None, grid=None,
            density=False, activation="relu"):
    """Layer-by-layer prediction of X = ln sin^2 theta^l (as `relumix predict --json`). None: the
    library's default (the CLI with no flags: the density method, model "accurate", order K(n)).
    model: "accurate", "paper-linear" or "paper-full"; full_mean / full_variance only with
    "paper-linear". Returns a dict of numpy arrays per layer (layer, mean, sd, q05, q50, q95 for the
    density method, with p_excluded, mean_error, sd_error for the accurate model; layer, theta, mean
    for the mean methods) and the settings; with density=True also grid (the X grid, ascending), cell
    (the width in X each grid point stands for: density * cell is its mass; uniform for the paper
    models, uniform in W = ln cot(theta/2) for "accurate") and density (layers x grid points).
    theta is the angle of the mean methods, and E[theta] of the density. activation="abs" or
    "leaky:ALPHA" (as `predict --activation`): the methods infinite, full and density, model accurate."""
    return _core._predict(widths, theta0, method, model, order, full_mean, full_variance, grid, density, activation)


def mc(widths, theta0, samples=5000, seed=1, threads=0, keep=False, mode="chain", activation="relu", hist=0):
    """Monte Carlo of the angle decay (as `relumix mc --json`, bitwise the same numbers for the same
    seed). Returns the run's fields (mode, activation, widths, theta0, samples, seed, partial,
    samples_done, block, seconds) and the per-layer statistics as numpy arrays (layer, width, count,
    degenerate, dead, mean, stderr_mean, sd, ..., quantile_error; theta: a dict of the same for theta).
    keep=True adds x, a (layers x samples) float64 array of ln sin^2 theta (NaN for excluded samples);
    hist=N adds hist, per layer {lo, hi, counts} of an N-bin histogram of X (`mc --hist N`); mode and
    activation as `mc --mode`, `mc --activation`."""
    d = _core._mc(widths, theta0, samples, seed, threads, keep, mode, activation, hist)
    layers = d.pop("layers")
    d.update(_columns(layers))
    return d


def map_series(degree=10, theta0=None, activation="relu"):
    """Exact Taylor coefficients of the infinite-width angle map f at 0 (as `relumix map-series --json`);
    with theta0 also C(theta0), proven: a certified decimal string of C_digits (20) digits with
    C_certified True. activation "abs" or "leaky:ALPHA" gives the map of that activation and
    C_alpha_over_pi, C proven for every activation but the linear one (ValueError for w < 3.77e-4,
    ALPHA > 0.9729: over 2e5 steps of the map)."""
    return _core._map_series(degree, theta0, activation)


def decay_series(width=None, degree=4, order=None, digits=30, activation="relu"):
    """Exact theta-series at 0 of mu - ln sin^2 theta and sigma^2 for one width, or with order K the double
    series in theta and 1/n (as `relumix decay-series --json`); activation="abs" or "leaky:ALPHA": the
    double series of that activation (order required)."""
    return _core._decay_series(width, degree, order, digits, activation)
