"""Shared helpers for the checks of docs/theory.md (plain /usr/bin/python3 with mpmath and sympy).

Every check compares a formula of docs/theory.md with an independent route (quadrature, a second
formula, a plain simulation). Optionally, with RELUMIX=/path/to/relumix in the environment, some
checks also compare relumix's own output with the independent value.
"""
import json
import os
import subprocess
import sys

import mpmath as mp

FAILED = []
_warned = set()


def check(name, ok, detail=""):
    """Record one check; print a line."""
    print(("ok    " if ok else "FAIL  ") + name + (("   " + detail) if detail else ""))
    if not ok:
        FAILED.append(name)


def close(name, got, want, rel=None, abs_=None):
    got, want = mp.mpf(got), mp.mpf(want)
    err = abs(got - want)
    tol = 0
    if rel is not None:
        tol = max(tol, rel * abs(want))
    if abs_ is not None:
        tol = max(tol, abs_)
    check(name, err <= tol, "got %s want %s (|diff| %s)" % (mp.nstr(got, 15), mp.nstr(want, 15), mp.nstr(err, 3)))


def finish():
    if FAILED:
        print("%d check(s) failed: %s" % (len(FAILED), ", ".join(FAILED)))
        sys.exit(1)
    print("all checks passed")


def relumix(*args):
    """JSON output of the relumix binary named by $RELUMIX, or None when it is not set."""
    exe = os.environ.get("RELUMIX")
    if not exe:
        return None
    if not os.access(exe, os.X_OK):
        if exe not in _warned:
            print("note: RELUMIX=%s is not an executable; skipping the comparisons with relumix" % exe)
            _warned.add(exe)
        return None
    out = subprocess.run([exe, "--json", *args], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


# ---- the mixed moments by quadrature (independent of any closed form) ----------------------

def radial_moment(k):
    """E[R^k] for the radius R of a standard 2-d Gaussian: 2^(k/2) Gamma(1 + k/2)."""
    return mp.mpf(2) ** (mp.mpf(k) / 2) * mp.gamma(1 + mp.mpf(k) / 2)


def J_quad(a, b, theta):
    """J_{a,b}(theta) = E[relu(G)^a relu(G')^b], corr = cos theta, relu^0 = 1{x > 0}.

    Polar coordinates: (G, Z) = R (cos phi, sin phi), G' = R cos(phi - theta); both are positive
    exactly on the arc theta - pi/2 < phi < pi/2, and the radial and angular parts factor."""
    theta = mp.mpf(theta)
    if theta >= mp.pi:
        return mp.mpf(0)
    # on the unit interval, scaled by the integrand's midpoint value: mpmath's error control is
    # absolute, so a tiny arc (theta near pi) with a tiny integrand needs the rescaling
    lo, L = theta - mp.pi / 2, mp.pi - theta
    f = lambda u: mp.cos(lo + L * u) ** a * mp.cos(lo + L * u - theta) ** b
    scale = f(mp.mpf(1) / 2)
    return radial_moment(a + b) / (2 * mp.pi) * L * scale * mp.quad(lambda u: f(u) / scale, [0, 1])


def J_cartesian(a, b, theta):
    """The same moment as a plain 2-d integral over (G, Z) (slow; low precision only)."""
    rho, s = mp.cos(theta), mp.sin(theta)
    phi = lambda x: mp.exp(-x * x / 2) / mp.sqrt(2 * mp.pi)

    def inner(g):
        # E[relu(rho g + s Z)^b] over Z
        lo = -rho * g / s
        return mp.quad(lambda z: (rho * g + s * z) ** b * phi(z), [lo, mp.inf])

    return mp.quad(lambda g: g ** a * phi(g) * inner(g), [0, mp.inf])


def single_moment(k):
    """m_k = E[relu(G)^k] = (k-1)!! c_k."""
    c = mp.mpf(1) / 2 if k % 2 == 0 else 1 / mp.sqrt(2 * mp.pi)
    return mp.fac2(k - 1) * c


def plain_moment(a, b, theta):
    """M_{a,b} = E[X^a Y^b] with X^0 = 1 (differs from J only when a or b is 0)."""
    if a == 0 and b == 0:
        return mp.mpf(1)
    if a == 0 or b == 0:
        return single_moment(a + b)
    return J_quad(a, b, theta)


def one_layer_parts(j11, j22, j31):
    """D, K, L of the one-layer law (theory.md 4.2) from J_{1,1}, J_{2,2}, J_{3,1}."""
    D = 1 - 4 * j11 ** 2
    K = 8 * j11 ** 2 * j22 - 8 * j11 ** 4 + 4 * j11 ** 2 - 8 * j11 * j31 + j22 + 1
    L = 2 * j11 ** 2 - 4 * j11 * j31 + j22 + 1
    return D, K, L


# ---- statistical checks (fixed seeds, 4.5 standard errors)

def zcheck(name, est, se, want):
    z = (est - want) / se
    check(name, abs(z) < 4.5, "estimate %.6g +- %.2g, theory %.6g (z = %+.2f)" % (est, se, want, z))


def relu(x):
    import numpy as np
    return np.maximum(x, 0.0)
