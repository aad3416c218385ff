"""arccos_kernel against mpmath (tiny and near-pi angles, depth), the naive float64 formula where
that one is fine, shapes and errors."""
import mpmath
import numpy as np
import pytest

import relumix
from conftest import J_mpmath


def kernel_mpmath(x, y, n, depth, dps=50):
    """Cho & Saul's k_n^(depth) from exact dot products (mpmath) and the polar-route J_{n,n}."""
    with mpmath.workdps(dps):
        x = [mpmath.mpf(float(v)) for v in x]
        y = [mpmath.mpf(float(v)) for v in y]
        xx = mpmath.fsum(a * a for a in x); yy = mpmath.fsum(b * b for b in y)
        xy = mpmath.fsum(a * b for a, b in zip(x, y))
        t = mpmath.atan2(mpmath.sqrt(xx * yy - xy * xy), xy)
        J0 = J_mpmath(n, n, 0, dps)
        qx, qy = xx, yy
        for _ in range(depth - 1):
            t = mpmath.acos(J_mpmath(n, n, t, dps) / J0)
            qx = qx ** n * 2 * J0
            qy = qy ** n * 2 * J0
        return (qx * qy) ** (mpmath.mpf(n) / 2) * 2 * J_mpmath(n, n, t, dps)


def pair(t, d=6, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=d)
    p = rng.normal(size=d)
    p -= (p @ x) / (x @ x) * x
    y = 0.7 * (np.cos(t) * x / np.linalg.norm(x) + np.sin(t) * p / np.linalg.norm(p))
    return x, y


def rel(got, want):
    return float(abs((mpmath.mpf(got) - want) / want))


@pytest.mark.parametrize("n", [0, 1, 2])
@pytest.mark.parametrize("t", [1e-9, 1e-5, 0.8, 2.0, np.pi - 1e-3, np.pi - 1e-9])
def test_kernel_depth1_against_mpmath(n, t):
    x, y = pair(t)
    K = relumix.arccos_kernel(x[None, :], y[None, :], order=n)
    assert K.shape == (1, 1) and K.dtype == np.float64
    assert rel(K[0, 0], kernel_mpmath(x, y, n, 1)) < 4e-15


@pytest.mark.parametrize("n", [0, 1, 2])
@pytest.mark.parametrize("depth", [2, 3, 10])
@pytest.mark.parametrize("t", [1e-9, 1e-4, 1.0, np.pi - 1e-8])
def test_kernel_deep_against_mpmath(n, depth, t):
    x, y = pair(t, seed=1)
    K = relumix.arccos_kernel(x, y, order=n, depth=depth)
    want = kernel_mpmath(x, y, n, depth)
    if want > np.finfo(np.float64).max:  # order 2 at depth 10: q grows like q^(2^l), beyond the double range
        assert K[0, 0] == np.inf
        return
    # for n >= 2 the norm factor amplifies the rounding of |x| n^(depth-1) times (docs/python.md)
    assert rel(K[0, 0], want) < 4e-15 * (n ** (depth - 1) if n >= 2 else 1)


def naive_kernel(X, Y, n):
    """The usual float64 formula (arccos of the normalized dot product; Cho & Saul's J_n for n <= 2)."""
    nx = np.linalg.norm(X, axis=1)[:, None]; ny = np.linalg.norm(Y, axis=1)[None, :]
    c = np.clip(X @ Y.T / (nx * ny), -1, 1)
    t = np.arccos(c)
    J = {0: np.pi - t, 1: np.sin(t) + (np.pi - t) * np.cos(t),
         2: 3 * np.sin(t) * np.cos(t) + (np.pi - t) * (1 + 2 * np.cos(t) ** 2)}[n]
    return (nx * ny) ** n * J / np.pi


@pytest.mark.parametrize("n", [0, 1, 2])
def test_kernel_gram_matches_naive_where_that_is_fine(n):
    rng = np.random.default_rng(2)
    X = rng.normal(size=(20, 8)); Y = rng.normal(size=(7, 8))
    K = relumix.arccos_kernel(X, Y, order=n)
    assert K.shape == (20, 7)
    assert np.allclose(K, naive_kernel(X, Y, n), rtol=1e-12, atol=0)
    G = relumix.arccos_kernel(X, order=n)
    assert G.shape == (20, 20) and np.array_equal(G, G.T)
    assert np.allclose(np.diag(G), np.linalg.norm(X, axis=1) ** (2 * n) * (1 if n == 0 else (1 if n == 1 else 3)))


def test_naive_formula_loses_tiny_angles():
    x, y = pair(1e-9)
    want = kernel_mpmath(x, y, 1, 30)
    good = relumix.arccos_kernel(x, y, depth=30)[0, 0]
    X = np.stack([x, y])
    # the naive recursion in normalized kernels (cos theta_l = k_l / sqrt(k_l(x,x) k_l(y,y)))
    nk = naive_kernel(X, X, 1)
    for _ in range(29):
        d = np.sqrt(np.diag(nk))
        c = np.clip(nk / np.outer(d, d), -1, 1)
        t = np.arccos(c)
        nk = np.outer(d, d) * (np.sin(t) + (np.pi - t) * np.cos(t)) / np.pi
    assert rel(good, want) < 1e-14
    # 1 - k/sqrt(q q') is what carries the information; compare it
    with mpmath.workdps(50):
        q = kernel_mpmath(x, x, 1, 30) * kernel_mpmath(y, y, 1, 30)
        gap_want = 1 - want / mpmath.sqrt(q)
    gap_naive = 1 - nk[0, 1] / np.sqrt(nk[0, 0] * nk[1, 1])
    assert abs(gap_naive - float(gap_want)) > 1e-3 * float(gap_want)  # the naive one has lost it


def test_kernel_errors():
    with pytest.raises(ValueError):
        relumix.arccos_kernel(np.array([[1.0, np.nan]]))
    with pytest.raises(ValueError):
        relumix.arccos_kernel(np.ones((2, 3)), np.ones((2, 4)))
    with pytest.raises(ValueError):
        relumix.arccos_kernel(np.ones((2, 3)), depth=0)
    with pytest.raises(ValueError):
        relumix.arccos_kernel(np.ones((2, 3)), order=-1)
    with pytest.raises(ValueError):
        relumix.arccos_kernel(np.ones((2, 2, 2)))


@pytest.mark.parametrize("n", [0, 1, 2])
def test_kernel_angles_against_mpmath(n):
    for t in (1e-9, 0.5, np.pi - 1e-9):
        x, y = pair(t, seed=3)
        for depth in (1, 4):
            K, T = relumix.arccos_kernel(x, y, order=n, depth=depth, angles=True)
            with mpmath.workdps(50):
                xs = [mpmath.mpf(float(v)) for v in x]; ys = [mpmath.mpf(float(v)) for v in y]
                xx = mpmath.fsum(a * a for a in xs); yy = mpmath.fsum(b * b for b in ys)
                xy = mpmath.fsum(a * b for a, b in zip(xs, ys))
                want = mpmath.atan2(mpmath.sqrt(xx * yy - xy * xy), xy)
                J0 = J_mpmath(n, n, 0, 50)
                for _ in range(depth):
                    want = mpmath.acos(J_mpmath(n, n, want, 50) / J0)
            assert rel(T[0, 0], want) < 1e-14, (t, depth)


def test_kernel_exactly_antipodal_and_parallel_rows():
    x = np.array([0.3, -1.2, 2.5, 0.7])
    X = np.stack([x, -x, 2 * x])
    for n in (0, 1, 2):
        K, T = relumix.arccos_kernel(X, order=n, angles=True)
        assert K[0, 1] == 0.0  # J_{n,n}(pi) = 0 exactly
        assert abs(T[0, 1] - np.pi / 2) <= 4.5e-16  # after one layer: cos f(pi) = J(pi)/J(0) = 0
        assert T[0, 2] == 0.0  # parallel rows: the angle stays exactly 0
    # depth 2, order 1: theta_1 = f(pi) = pi/2, so k_2 = |x||y| 2 J_{1,1}(pi/2) = |x|^2 / pi
    K = relumix.arccos_kernel(x, -x, depth=2)
    with mpmath.workdps(40):
        want = mpmath.fsum(mpmath.mpf(float(v)) ** 2 for v in x) / mpmath.pi
    assert rel(K[0, 0], want) < 8e-16  # a few ulp: theta_1 = f(pi) is itself rounded
