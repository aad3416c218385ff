"""angle, mu_sigma2, map_series, decay_series: the CLI's JSON and the independent reference values."""
import json
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
