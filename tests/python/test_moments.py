"""closed_form, J, series, verify: against the CLI's JSON for the same call and against mpmath."""
from fractions import Fraction
import math

import mpmath
import numpy as np
import pytest

import relumix
from conftest import J_mpmath, theta_mpmath, ulp_error


@pytest.mark.parametrize("a,b", [(1, 1), (2, 3), (0, 0), (0, 3), (4, 2)])
def test_closed_form_matches_cli(cli, a, b):
    cf = relumix.closed_form(a, b)
    ref = cli("moment", a, b)
    assert cf.parity == ref["parity"]
    for name in ("P", "Q", "R"):
        got = getattr(cf, name)
        assert all(isinstance(c, Fraction) for c in got)
        assert got == [Fraction(c) for c in ref.get(name, [])]
    assert (cf.parity == "even") == ((a + b) % 2 == 0)


def test_closed_form_latex_and_sympy():
    import sympy
    cf = relumix.closed_form(2, 2)
    assert cf.latex().startswith(r"J_{2,2}(\theta) = \frac{(\pi - \theta)")
    assert cf._repr_latex_() == "$" + cf.latex() + "$"
    expr = cf.sympy()
    theta = sympy.Symbol("theta")
    assert expr.free_symbols == {theta}
    for t in ("0.3", "2.9"):
        got = sympy.N(expr.subs(theta, sympy.Float(t, 50)), 40)
        with mpmath.workdps(50):
            assert abs(mpmath.mpf(str(got)) - J_mpmath(2, 2, t, 40)) < mpmath.mpf(10) ** -35
    odd = relumix.closed_form(1, 2)
    assert odd.P == [] and odd.Q == [] and odd.R
    assert "sqrt" in str(odd.sympy())


@pytest.mark.parametrize("a,b,theta,digits", [(1, 1, "pi/3", 30), (2, 3, "1e-12", 25), (3, 1, "pi-1e-20", 40),
                                              (0, 2, "0.1", 50), (5, 5, "2.5", 20)])
def test_J_certified_strings(cli, a, b, theta, digits):
    got = relumix.J(a, b, theta, digits=digits)
    assert isinstance(got, str)
    assert got == cli("moment", a, b, "--theta", theta, "--digits", digits)["value"]
    want = J_mpmath(a, b, theta_mpmath(theta, digits + 20), digits + 20)
    with mpmath.workdps(digits + 20):
        v = mpmath.mpf(got)
        # correctly rounded to `digits` significant digits: within half a unit of the last digit
        unit = mpmath.mpf(10) ** (mpmath.floor(mpmath.log10(abs(want))) - digits + 1)
        assert abs(v - want) <= unit / 2 * (1 + mpmath.mpf(10) ** -10)


def test_J_float_theta_with_digits(cli):
    # a float is its exact binary value
    assert relumix.J(1, 1, 0.5, digits=30) == cli("moment", 1, 1, "--theta", "0.5", "--digits", 30)["value"]


def test_J_double_path_scalar_and_arrays():
    t = np.linspace(0, np.pi, 101)
    out = relumix.J(2, 1, t)
    assert out.dtype == np.float64 and out.shape == t.shape
    assert all(out[i] == relumix.J(2, 1, float(t[i])) for i in range(len(t)))
    t2 = t[:100].reshape(10, 10)
    out2 = relumix.J(2, 1, t2)
    assert out2.shape == (10, 10) and np.array_equal(out2.ravel(), out[:100])
    assert isinstance(relumix.J(1, 1, 0.3), float)
    assert relumix.J(1, 1, [0.1, 0.2]).shape == (2,)
    assert relumix.J(1, 1, "pi/2") == relumix.J(1, 1, np.pi / 2)  # text without digits: its nearest double


@pytest.mark.parametrize("a,b", [(1, 1), (2, 3), (3, 3)])
def test_J_double_path_within_one_ulp(a, b):
    for t in (1e-9, 1e-3, 0.4, 1.3, 2.0, 3.0, np.pi - 1e-6):
        got = relumix.J(a, b, t)
        assert ulp_error(got, J_mpmath(a, b, mpmath.mpf(t), 40)) <= 1.0, t


def test_J_errors(cli_error):
    with pytest.raises(ValueError) as e:
        relumix.J(1, 1, np.array([0.1, np.nan, 0.3]))
    with pytest.raises(ValueError):
        relumix.J(1, 1, 4.0)
    with pytest.raises(ValueError):
        relumix.J(1, 1, "pi+1", digits=10)
    with pytest.raises(ValueError):
        relumix.J(-1, 1, 0.1)
    with pytest.raises(ValueError):
        relumix.J(1, 1, 0.1, digits=0)
    with pytest.raises(ValueError) as e:
        relumix.J(1, 1, "pi/x", digits=10)
    # the library's one-line message, as the CLI prints it after the flag
    assert cli_error("moment", 1, 1, "--theta", "pi/x").endswith(str(e.value))


def test_series_matches_cli(cli):
    for a, b in ((1, 1), (2, 3)):
        assert relumix.series(a, b, 8) == cli("series", a, b, "--degree", 8)


def test_series_coefficients_against_mpmath():
    # the Taylor coefficients of J_{1,1} at 0 sum to J_{1,1}(0.1) (the series is entire)
    s = relumix.series(1, 1, 30)
    with mpmath.workdps(40):
        total = mpmath.mpf(0)
        for c in s["coefficients"]:
            v = sum(mpmath.mpf(Fraction(q).numerator) / Fraction(q).denominator / mpmath.pi ** (0 if k == "1" else 1)
                    for k, q in c["terms"].items())
            total += v * mpmath.mpf("0.1") ** c["k"]
        assert abs(total - J_mpmath(1, 1, "0.1", 40)) < mpmath.mpf(10) ** -30


def test_verify_matches_cli(cli):
    got = relumix.verify(6)
    assert got == cli("verify", "--max", 6)
    assert got["failed"] == 0 and got["checked"] > 0
    with pytest.raises(ValueError):
        relumix.verify(10 ** 6)


def test_activation_moments_against_gaussian_identities():
    # |x|: E|G||G'| = (2/pi)(rho asin rho + sin theta), an identity that does not use J
    rho = math.cos(1.0)
    v = relumix.moment(1, 1, 1.0, digits=20, activation="abs")
    assert abs(float(v) - 2 / math.pi * (rho * math.asin(rho) + math.sin(1.0))) < 1e-15
    # E phi(G)^2 = (1 + alpha^2)/2 at any angle: exactly 101/200 for leaky:1/10
    assert relumix.moment(2, 0, ["0.3", "pi/2"], digits=3, activation="leaky:1/10") == ["0.505", "0.505"]
    # relu is J
    assert relumix.moment(1, 1, "pi/3", digits=25) == relumix.J(1, 1, "pi/3", digits=25)


def test_activation_closed_form_series_verify():
    cf = relumix.closed_form(1, 1, activation="leaky:1")  # linear: E[G G'] = rho, so 2 pi M = pi (2 rho)
    assert cf.activation == "leaky:1" and cf.P == [] and cf.Q == [] and cf.U == [0, 2]
    assert relumix.closed_form(2, 2).activation == "relu" and relumix.closed_form(2, 2).U == []
    s = relumix.series(1, 1, order=3, activation="abs")
    assert s["activation"] == "abs" and s["coefficients"][2]["terms"] == {"1": "-1/2"}
    r = relumix.verify(4, activation="leaky:1/3")
    assert r["failed"] == 0 and r["checked"] > 50
    with pytest.raises(ValueError, match="outside"):
        relumix.moment(1, 1, 0.5, activation="leaky:2")


def test_activation_map_series():
    m = relumix.map_series(3, activation="abs")  # w = 2: f = theta - (2/(3 pi)) theta^2 - ..., C_alpha = 3 pi / 2
    assert m["activation"] == "abs" and m["C_alpha_over_pi"] == "3/2"
    assert m["coefficients"][2]["terms"] == {"1/pi": "-2/3"}
    assert "activation" not in relumix.map_series(3)
    # alpha > 1/2: C(theta0) proven too (mpmath fit, tests/data/depth_constant_reference.py: 0.73775625211084593)
    p = relumix.map_series(1, theta0="pi/2", activation="leaky:0.9")
    assert p["C_certified"] is True and p["C_digits"] == 20 and "C_error" not in p
    assert abs(float(p["C"]) - 0.7377562521108459298) < 1e-14
    with pytest.raises(ValueError, match="allows 200000"):
        relumix.map_series(1, theta0="1", activation="leaky:0.99")


def test_activation_angle_matches_cli(cli):
    a = relumix.angle(32, "1", order=2, digits=15, activation="leaky:0.1")
    ref = cli("angle", "-n", 32, "-t", 1, "--order", 2, "-d", 15, "--activation", "leaky:0.1")
    assert a["activation"] == "leaky:0.1" and a["mu"] == ref["mu"] and a["sigma2"] == ref["sigma2"]
