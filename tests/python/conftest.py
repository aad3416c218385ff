"""Shared fixtures of the Python suite: the built CLI (RELUMIX_BIN, set by CTest) for agreement tests,
the source tree, and an independent mpmath route to J_{a,b}."""
import json
import os
import subprocess
import sys

import mpmath
import pytest

SOURCE_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def _bin():
    b = os.environ.get("RELUMIX_BIN")
    if b:
        return b
    for cand in ("build/tools/relumix", "build/test/tools/relumix"):
        p = os.path.join(SOURCE_DIR, cand)
        if os.path.exists(p):
            return p
    pytest.skip("RELUMIX_BIN is not set and no built relumix was found")


@pytest.fixture(scope="session")
def cli():
    """cli('moment', '2', '3') -> the body of `relumix --json moment 2 3` (the envelope removed)."""
    exe = _bin()

    def run(*args):
        out = subprocess.run([exe, "--json", *map(str, args)], check=True, capture_output=True, text=True,
                             env=dict(os.environ, RELUMIX_PROGRESS="0"))
        body = json.loads(out.stdout)
        body.pop("relumix")
        return body
    return run


@pytest.fixture(scope="session")
def cli_error():
    """cli_error(args...) -> the CLI's one-line error message (after 'relumix: error: ')."""
    exe = _bin()

    def run(*args):
        out = subprocess.run([exe, *map(str, args)], capture_output=True, text=True)
        assert out.returncode == 2, out
        line = out.stderr.strip().splitlines()[-1]
        assert line.startswith("relumix: error: "), line
        return line[len("relumix: error: "):]
    return run


def J_mpmath(a, b, theta, dps=60):
    """J_{a,b}(theta) by the polar route, independent of relumix's closed forms:
    J = E[R^(a+b)] / (2 pi) * int_{theta - pi/2}^{pi/2} cos^a(p) cos^b(p - theta) dp, E[R^k] = 2^(k/2) Gamma(1 + k/2);
    with p = pi/2 - s and phi = pi - theta the integral is int_0^phi sin^a(s) sin^b(phi - s) ds (accurate near pi)."""
    with mpmath.workdps(dps + 20):
        theta = mpmath.mpmathify(theta)
        k = a + b
        radial = mpmath.mpf(2) ** (mpmath.mpf(k) / 2) * mpmath.gamma(1 + mpmath.mpf(k) / 2)
        phi = mpmath.pi - theta
        f = lambda s: mpmath.sin(s) ** a * mpmath.sin(phi - s) ** b
        integral = mpmath.quad(f, [0, phi / 2, phi], method="gauss-legendre")  # smooth: Gauss-Legendre
        return +(radial * integral / (2 * mpmath.pi))


def theta_mpmath(text, dps=60):
    """An angle of the CLI's grammar used in the tests ('pi/3', '0.1', 'pi-1e-20', '1e-12') in mpmath."""
    with mpmath.workdps(dps + 20):
        t = text.replace(" ", "")
        if t.startswith("pi-"):
            return mpmath.pi - mpmath.mpf(t[3:])
        if t.startswith("pi/"):
            return mpmath.pi / int(t[3:])
        if t == "pi":
            return +mpmath.pi
        return mpmath.mpf(t)


def ulp_error(got, want):
    """|got - want| in units in the last place of the double nearest to want."""
    import numpy as np
    w = float(want)
    if w == 0:
        return 0.0 if got == 0 else float("inf")
    return float(abs(mpmath.mpf(got) - want) / np.spacing(abs(w)))
