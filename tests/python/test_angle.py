"""angle, mu_sigma2, map_series, decay_series: the CLI's JSON and the independent reference values."""
import json
import math
import os

import mpmath
import numpy as np
import pytest

import relumix
from conftest import SOURCE_DIR


def reference():
    with open(os.path.join(SOURCE_DIR, "tests", "data", "angle.json")) as f:
        return json.load(f)


def test_angle_matches_cli(cli):
    for n, t, order in ((256, "0.1", 1), (16, "pi/3", 2), (64, "pi-1e-4", 1)):
        got = relumix.angle(n, t, order=order, digits=35)
        assert got == cli("angle", "--width", n, "--theta", t, "--order", order, "--digits", 35)
        assert isinstance(got["mu"], str) and isinstance(got["cos_infinite_width"], str)


def test_angle_against_reference():
    for v in reference()["values"]:
        got = relumix.angle(v["n"], v["theta"], digits=35)
        with mpmath.workdps(50):
            for key in ("mu", "sigma2"):
                want = mpmath.mpf(v[key])
                assert abs(mpmath.mpf(got[key]) - want) <= abs(want) * mpmath.mpf(10) ** -34


def test_cos_infinite_width_against_mpmath():
    got = relumix.angle(100, "0.7", digits=40)["cos_infinite_width"]
    with mpmath.workdps(60):
        t = mpmath.mpf("0.7")
        want = (mpmath.sin(t) + (mpmath.pi - t) * mpmath.cos(t)) / mpmath.pi
        assert abs(mpmath.mpf(got) - want) < mpmath.mpf(10) ** -39


def test_mu_sigma2_arrays():
    ref = reference()["values"]
    for order in (1, 2):
        for v in ref:
            mu, s2 = relumix.mu_sigma2(v["n"], np.array([float(mpmath.mpf(v["theta"]))]), order=order)
            assert mu.dtype == np.float64 and mu.shape == (1,)
            exact = relumix.angle(v["n"], float(mpmath.mpf(v["theta"])), order=order, digits=20)
            assert abs(mu[0] - float(exact["mu"])) <= 1e-13 * abs(float(exact["mu"]))
            assert abs(s2[0] - float(exact["sigma2"])) <= 1e-13 * abs(float(exact["sigma2"]))
    mu, s2 = relumix.mu_sigma2(64, np.full((3, 4), 0.5))
    assert mu.shape == (3, 4) and s2.shape == (3, 4)
    with pytest.raises(ValueError):
        relumix.mu_sigma2(64, np.array([0.5, np.nan]))
    with pytest.raises(ValueError):
        relumix.mu_sigma2(64, np.array([0.0]))
    with pytest.raises(ValueError):
        relumix.mu_sigma2(1, np.array([0.5]))


def mu_sigma2_mpmath(x, n):
    """The paper's O(1/n) forms (SPEC section 4) in mpmath, at a precision that absorbs their
    cancellation near 0 (like theta^4) and near pi (sigma^2 like (pi - theta)^10)."""
    x = float(x)
    edge = min(x, math.pi - x + 1.3e-16)
    with mpmath.workdps(40 + int(12 * max(0.0, -math.log10(edge)))):
        t = mpmath.mpf(x)
        c, s, pt = mpmath.cos(t), mpmath.sin(t), mpmath.pi - t
        j11 = (s + pt * c) / (2 * mpmath.pi)
        j22 = (pt * (1 + 2 * c**2) + 3 * s * c) / (2 * mpmath.pi)
        j31 = (pt * 3 * c + s * (c**2 + 2)) / (2 * mpmath.pi)
        n = mpmath.mpf(n)
        D, E = 1 - 4 * j11**2, n - 1 + 4 * j22
        K = 8 * j11**2 * j22 - 8 * j11**4 + 4 * j11**2 - 8 * j11 * j31 + j22 + 1
        L = 2 * j11**2 - 4 * j11 * j31 + j22 + 1
        mu = mpmath.log((n - 1) * D / E) + 4 * n * (j22 + 1) / E**2 - 4 * n * K / ((n - 1) ** 2 * D**2)
        s2 = 8 * n * (j22 + 1) / E**2 + 8 * n * K / ((n - 1) ** 2 * D**2) - 16 * n * L / (E * (n - 1) * D)
        return mu, s2


def ulps(got, want):
    return float(abs(mpmath.mpf(float(got)) - want) / mpmath.mpf(np.spacing(abs(float(want)))))


def test_mu_sigma2_within_one_ulp():
    # the J closed forms written out above, checked against the certified values first
    with mpmath.workdps(30):
        t = mpmath.mpf(1)
        c, s = mpmath.cos(t), mpmath.sin(t)
        assert abs((mpmath.pi - t) * (1 + 2 * c**2) + 3 * s * c - 2 * mpmath.pi * mpmath.mpf(relumix.J(2, 2, "1", digits=25))) < 1e-20
        assert abs((mpmath.pi - t) * 3 * c + s * (c**2 + 2) - 2 * mpmath.pi * mpmath.mpf(relumix.J(3, 1, "1", digits=25))) < 1e-20
    rng = np.random.default_rng(18)
    pi = math.pi
    hard = [1e-300, 1e-30, 1e-8, 1e-4, np.nextafter(1 / 64, 0), 1 / 64, 0.5, pi / 2, np.nextafter(pi / 2, 0),
            np.nextafter(pi / 2, 4), 3.1, pi - 1e-4, pi - 1e-8, pi - 1e-12, np.nextafter(pi, 0), pi]
    theta = np.concatenate([rng.uniform(0, pi, 60), hard])
    worst = 0.0
    for n in (2, 64, 1000):
        mu, s2 = relumix.mu_sigma2(n, theta)
        for x, m, v in zip(theta, mu, s2):
            wm, ws = mu_sigma2_mpmath(x, n)
            e = max(ulps(m, wm), ulps(v, ws))
            assert e <= 1, (n, x, m, v, e)
            worst = max(worst, e)
    # a large array takes the threaded path and gives the same values
    big = rng.uniform(1e-9, pi, 200000)
    mu, s2 = relumix.mu_sigma2(64, big)
    m1, v1 = relumix.mu_sigma2(64, big[::1000].copy())
    assert np.array_equal(mu[::1000], m1) and np.array_equal(s2[::1000], v1)


def test_map_and_decay_series_match_cli(cli):
    assert relumix.map_series(8) == cli("map-series", "--degree", 8)
    assert relumix.map_series(6, theta0="pi/3") == cli("map-series", "--degree", 6, "--theta0", "pi/3")
    assert relumix.decay_series(64, degree=3) == cli("decay-series", "--width", 64, "--degree", 3)
    assert relumix.decay_series(degree=2, order=2, digits=20) == cli("decay-series", "--degree", 2, "--order", 2,
                                                                     "--digits", 20)
    with pytest.raises(ValueError):
        relumix.decay_series()
    with pytest.raises(ValueError):
        relumix.decay_series(64, order=1)


def test_collapse_and_norm_match_cli(cli):
    assert relumix.collapse(4, 100, digits=20) == cli("collapse", "--width", 4, "--depth", 100, "--digits", 20)
    got = relumix.collapse(3, 20, inputs=2, theta0="pi/4", samples=2000, seed=5)
    ref = cli("collapse", "--width", 3, "--depth", 20, "--inputs", 2, "--theta0", "pi/4", "--samples", 2000, "--seed", 5)
    assert got == ref
    assert relumix.norm(8, 10, digits=20) == cli("norm", "--width", 8, "--depth", 10, "--digits", 20)
    got = relumix.norm(8, 5, mc=True, samples=3000, seed=2)
    assert got == cli("norm", "--width", 8, "--depth", 5, "--mc", "--samples", 3000, "--seed", 2)
    with pytest.raises(ValueError):
        relumix.collapse(0, 10)
    with pytest.raises(ValueError):
        relumix.collapse(3, 10, inputs=2, theta0="pi")


def test_collapse_exact_against_mpmath():
    # P(dead by depth L) = 1 - (1 - 2^-N)^L
    got = relumix.collapse(5, 1000, digits=30)
    with mpmath.workdps(50):
        want = 1 - (1 - mpmath.mpf(2) ** -5) ** 1000
        assert abs(mpmath.mpf(got["probability"]) - want) < want * mpmath.mpf(10) ** -29
