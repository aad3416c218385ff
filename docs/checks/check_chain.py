"""Checks of docs/theory.md sections 1 and 7 (the Markov reduction, degenerate events, the polar
chain) and of the exact small-angle law of section 4, by plain numpy simulation of real networks.
Run: /usr/bin/python3 docs/checks/check_chain.py (under a minute). Statistical checks use fixed
seeds and a tolerance of 4.5 standard errors."""
import numpy as np
import mpmath as mp

from common import check, finish, relu, zcheck

rng = np.random.default_rng(20240601)


def ln_sin2(u, v):
    """ln sin^2 of the angle between the rows of u and v (Kahan-free but fine away from 0)."""
    uu, vv, uv = (u * u).sum(1), (v * v).sum(1), (u * v).sum(1)
    with np.errstate(divide="ignore", invalid="ignore"):  # dead or parallel samples: nan, -inf
        return np.log1p(-uv * uv / (uu * vv))


# ---- Markov reduction: one layer of a real network (input dimension 3, arbitrary norms) against
# the reduced pair chain (X_i, Y_i) = (relu(G_i), relu(rho G_i + s Z_i))
S, n, d = 200000, 6, 3
xa = np.array([1.0, 0.3, 0.2]) * 2.5
xb = np.array([0.2, 1.0, 0.7]) * 0.4
theta0 = np.arccos(xa @ xb / np.linalg.norm(xa) / np.linalg.norm(xb))
W = rng.standard_normal((S, n, d)) * np.sqrt(2.0 / d)
net = ln_sin2(relu(W @ xa), relu(W @ xb))
G, Z = rng.standard_normal((S, n)), rng.standard_normal((S, n))
chain = ln_sin2(relu(G), relu(np.cos(theta0) * G + np.sin(theta0) * Z))
ok_net, ok_chain = np.isfinite(net), np.isfinite(chain)
a, b = np.sort(net[ok_net]), np.sort(chain[ok_chain])
grid = np.concatenate([a, b])
dks = np.abs(np.searchsorted(a, grid, side="right") / a.size - np.searchsorted(b, grid, side="right") / b.size).max()
ne = a.size * b.size / (a.size + b.size)
check("one layer: network with weight matrices and the reduced chain have the same law of ln sin^2 (KS)",
      dks * np.sqrt(ne) < 1.8, "KS distance %.4f, sqrt(n_eff) d = %.2f (5%% critical value 1.36)" % (dks, dks * np.sqrt(ne)))
zcheck("one layer: same mean", net[ok_net].mean() - chain[ok_chain].mean(),
       np.sqrt(net[ok_net].var() / a.size + chain[ok_chain].var() / b.size), 0.0)

# ---- categories (arcs of the polar chain) and degenerate events, n = 4, theta = 1
S, n, th = 400000, 4, 1.0
G, Z = rng.standard_normal((S, n)), rng.standard_normal((S, n))
Gp = np.cos(th) * G + np.sin(th) * Z
xpos, ypos = G > 0, Gp > 0
p_x, p_both = (xpos & ~ypos).mean(), (xpos & ypos).mean()
zcheck("P(only X > 0) = theta/(2 pi)", p_x, np.sqrt(p_x * (1 - p_x) / (S * n)), th / (2 * np.pi))
zcheck("P(both > 0) = (pi - theta)/(2 pi) = J_{0,0}", p_both, np.sqrt(p_both * (1 - p_both) / (S * n)),
       (np.pi - th) / (2 * np.pi))
p0 = (np.pi - th) / (2 * np.pi)
dead = (~xpos.any(1)) | (~ypos.any(1))
nb, nx, ny = (xpos & ypos).sum(1), (xpos & ~ypos).sum(1), (~xpos & ypos).sum(1)
parallel = (nb == 1) & (nx == 0) & (ny == 0)
zcheck("P(dead) = 2^(1-n) - ((pi - theta)/(2 pi))^n", dead.mean(), np.sqrt(dead.mean() / S), 2.0 ** (1 - n) - p0 ** n)
zcheck("P(parallel) = n ((pi - theta)/(2 pi))^n", parallel.mean(), np.sqrt(parallel.mean() / S), n * p0 ** n)

# ---- polar parametrization of one neuron: (G, Z) = R (cos phi, sin phi), Y = R cos(phi - theta)
th, C, Sh = 0.8, np.cos(0.4), np.sin(0.4)
psi = rng.uniform(-(np.pi - th) / 2, (np.pi - th) / 2, 1000)
phi = th / 2 + psi
okb = np.allclose(np.cos(phi), C * np.cos(psi) - Sh * np.sin(psi)) and np.allclose(np.cos(phi - th), C * np.cos(psi) + Sh * np.sin(psi)) \
    and np.allclose((np.cos(phi - th) - np.cos(phi)) / np.sin(th), np.sin(psi) / C)
aa = rng.uniform(0, th, 1000)
oka = np.allclose(np.cos(-np.pi / 2 + aa), np.sin(aa)) and np.all(np.cos(-np.pi / 2 + aa - th) <= 1e-15) \
    and np.allclose(np.cos(np.pi / 2 + th - aa - th), np.sin(aa)) and np.all(np.cos(np.pi / 2 + th - aa) <= 1e-15)
check("polar chain: one-input arcs phi = -pi/2 + a: X = sin a, Y = 0; phi = pi/2 + theta - a: X = 0, Y = sin a", oka)


# ---- the exact small-angle law: sin^2 theta'/sin^2 theta -> chi^2_{k-1}/chi^2_k, k ~ Bin(n, 1/2)
def small_angle_law(n):
    W = mp.mpf(2) ** n - 1 - n  # 2^n P(k >= 2)
    m = e2 = v = mp.mpf(0)
    for k in range(2, n + 1):
        w = mp.binomial(n, k) / W
        dd = mp.digamma(mp.mpf(k - 1) / 2) - mp.digamma(mp.mpf(k) / 2)
        m, e2 = m + w * dd, e2 + w * dd * dd
        v += w * (mp.psi(1, mp.mpf(k - 1) / 2) + mp.psi(1, mp.mpf(k) / 2))
    return float(m), float(v + e2 - m * m)


S, n, th = 1000000, 8, 1e-6
G, Z = rng.standard_normal((S, n)), rng.standard_normal((S, n))
X = relu(G)
Y = relu(np.cos(th) * G + np.sin(th) * Z)
Dv = np.where((G > 0) & (Y > 0), -2 * np.sin(th / 2) ** 2 * G + np.sin(th) * Z, Y - X)  # Y - X without cancellation
xx, dd2, xd = (X * X).sum(1), (Dv * Dv).sum(1), (X * Dv).sum(1)
yy = (Y * Y).sum(1)
wedge = xx * dd2 - xd * xd  # |X ^ Y|^2 = |X ^ (Y - X)|^2
# exclude the degenerate samples exactly, from the counts (as relumix does): dead, or parallel =
# exactly one neuron active for both inputs and none for one input only (a rounding residue of
# wedge would otherwise give ln sin^2 ~ -70 for these 3% of the samples)
nb, nx, ny = ((G > 0) & (Y > 0)).sum(1), ((G > 0) & ~(Y > 0)).sum(1), (~(G > 0) & (Y > 0)).sum(1)
good = (nb + nx > 0) & (nb + ny > 0) & ~((nb == 1) & (nx == 0) & (ny == 0))
dx = np.log(wedge[good] / (xx[good] * yy[good])) - 2 * np.log(np.sin(th))
m_exact, v_exact = small_angle_law(n)
zcheck("small angle, n = 8: E[ln sin^2 theta' - ln sin^2 theta] = E[psi((k-1)/2) - psi(k/2) | k >= 2]",
       dx.mean(), dx.std() / np.sqrt(dx.size), m_exact)
m4 = ((dx - dx.mean()) ** 4).mean()
zcheck("small angle, n = 8: Var = E[psi'((k-1)/2) + psi'(k/2)] + Var[psi((k-1)/2) - psi(k/2)]",
       dx.var(), np.sqrt((m4 - dx.var() ** 2) / dx.size), v_exact)
mp.mp.dps = 30
for n in (200, 1000):
    m, v = small_angle_law(n)
    series_m = -2 / n - 8 / n ** 2 - 40 / n ** 3 - 248 / n ** 4
    series_v = 8 / n + 32 / n ** 2 + 508 / 3 / n ** 3 + 1152 / n ** 4
    # the next terms are about -2e3/n^5 and 1e4/n^5
    check("small angle, n = %d: the cumulant series at theta = 0 (-2, -8, -40, -248; 8, 32, 508/3, 1152) is its expansion" % n,
          abs(m - series_m) < 5e3 / n ** 5 and abs(v - series_v) < 2e4 / n ** 5,
          "exact %.15g, %.15g; series %.15g, %.15g" % (m, v, series_m, series_v))
for n in (16, 256):
    rho_paper = np.log((n + 5) / (n - 1)) - 10 * n / (n + 5) ** 2 + 6 * n / (n - 1) ** 2
    m, v = small_angle_law(n)
    print("      n = %d: exact small-angle mean %.10f (paper's -rho(n) = %.10f), variance %.10f (paper %.10f)"
          % (n, m, -rho_paper, v, 8 * n * (n * n - 2 * n + 55) / ((n - 1) ** 2 * (n + 5) ** 2)))
finish()
