"""Checks of docs/theory.md section 4 (infinite-width map, large-depth expansion, the one-layer law to
O(1/n), the small-angle coefficients). Run: /usr/bin/python3 docs/checks/check_angle.py (under a minute)."""
import sympy as sp
import mpmath as mp

from common import J_quad, check, close, finish, one_layer_parts, relumix, single_moment

mp.mp.dps = 40


def J11(z):
    return (mp.sin(z) + (mp.pi - z) * mp.cos(z)) / (2 * mp.pi)


def f_map(z):
    """cos f = 2 J_{1,1}; written as 2 asin(z g(z)) with g analytic at 0 (usable for complex z)."""
    g = mp.sqrt((1 - 2 * J11(z)) / (2 * z * z))
    return 2 * mp.asin(z * g)


# ---- J_{1,1} closed form and D = sin^2 f
close("J_{1,1}(0.7) closed form", J11(mp.mpf("0.7")), J_quad(1, 1, "0.7"), rel=1e-35)
th = mp.mpf("0.37")
close("D = 1 - 4 J11^2 = sin^2 f(theta)", 1 - 4 * J11(th) ** 2, mp.sin(f_map(th)) ** 2, rel=1e-35)

# ---- Taylor coefficients of f by a Cauchy integral on |z| = 1/2 (independent of any series algebra)
N, r = 128, mp.mpf("0.5")
zs = [r * mp.expj(2 * mp.pi * k / N) for k in range(N)]
fs = [f_map(z) for z in zs]
coef = [(sum(fs[j] * zs[j] ** (-k) for j in range(N)) / N).real for k in range(11)]
pi = mp.pi
table = [0, 1, -1 / (3 * pi), -1 / (18 * pi ** 2), -1 / (45 * pi) - 1 / (54 * pi ** 3),
         1 / (90 * pi ** 2) - 5 / (648 * pi ** 4),
         -2 / (945 * pi) + 1 / (405 * pi ** 3) - 7 / (1944 * pi ** 5),
         13 / (4725 * pi ** 2) + 1 / (972 * pi ** 4) - 7 / (3888 * pi ** 6),
         -1 / (4725 * pi) - 17 / (28350 * pi ** 3) + 1 / (1944 * pi ** 5) - 11 / (11664 * pi ** 7)]
for k, want in enumerate(table):
    close("coefficient of theta^%d in f" % k, coef[k], want, abs_=1e-30)

# ---- large depth: u = 1/theta; u' = u + 1/(3 pi) + 1/(6 pi^2 u) + b/u^2 + O(u^-3)
T, P = sp.symbols("T P", positive=True)  # P stands for pi
c = [0, 1, -1 / (3 * P), -1 / (18 * P ** 2), -1 / (45 * P) - 1 / (54 * P ** 3)]
fser = sum(c[k] * T ** k for k in range(1, 5))
inv = sp.series(1 / fser, T, 0, 3).removeO()
want_inv = 1 / T + 1 / (3 * P) + T / (6 * P ** 2) + (1 / (45 * P) + 5 / (54 * P ** 3)) * T ** 2
check("1/f(theta) = 1/theta + 1/(3pi) + theta/(6pi^2) + (1/(45pi) + 5/(54pi^3)) theta^2 + ...",
      sp.simplify(sp.expand(inv - want_inv)) == 0, str(sp.simplify(inv)))
# the ansatz u_l = l/(3pi) + A ln l + C + (alpha ln l + beta)/l solved order by order
l, Lg, C, A, al, be = sp.symbols("l Lg C A alpha beta")
b = 1 / (45 * P) + 5 / (54 * P ** 3)
u = l / (3 * P) + A * Lg + C + (al * Lg + be) / l
# u(l+1) - u(l), expanded in 1/l (ln(l+1) = Lg + 1/l - 1/(2 l^2) + ...)
du = 1 / (3 * P) + A * (1 / l - 1 / (2 * l ** 2)) + (al * (Lg + 1 / l) + be) / (l + 1) - (al * Lg + be) / l
rhs = 1 / (3 * P) + 1 / (6 * P ** 2 * u) + b / u ** 2
e = sp.Symbol("e")  # e = 1/l
diff = sp.series((du - rhs).subs(l, 1 / e), e, 0, 3).removeO()
sol = sp.solve([sp.expand(diff).coeff(e, 1), sp.expand(diff.coeff(e, 2)).coeff(Lg, 1),
                sp.expand(diff.coeff(e, 2)).coeff(Lg, 0)], [A, al, be], dict=True)[0]
check("large depth: A = 1/(2 pi)", sp.simplify(sol[A] - 1 / (2 * P)) == 0, str(sol[A]))
check("large depth: alpha = 3/(4 pi)", sp.simplify(sol[al] - 3 / (4 * P)) == 0, str(sol[al]))
check("large depth: beta = 3C/2 - pi/5 - 1/(3 pi)", sp.simplify(sol[be] - (3 * C / 2 - P / 5 - 1 / (3 * P))) == 0,
      str(sp.simplify(sol[be])))
# theta_l to third order
th_l = sp.series((1 / u.subs(sol)).subs(l, 1 / e), e, 0, 4).removeO()
want3 = (27 * P / 4) * Lg ** 2 + (27 * P ** 2 * C - 27 * P / 4) * Lg + 27 * P ** 3 * C ** 2 - 27 * P ** 2 * C / 2 + 9 * P ** 3 / 5 + 3 * P
check("theta_l: 3pi/l - (9pi/2) ln l/l^2 - 9pi^2 C/l^2 + [...]/l^3",
      sp.simplify(th_l.coeff(e, 1) - 3 * P) == 0 and sp.simplify(th_l.coeff(e, 2) - (-9 * P / 2 * Lg - 9 * P ** 2 * C)) == 0
      and sp.simplify(sp.expand(th_l.coeff(e, 3) - want3)) == 0, str(sp.expand(th_l.coeff(e, 3))))

# numerically: iterate f from theta0 = 0.1 and estimate C with the 3-term and the 4-term expansion
mp.mp.dps = 30


def f_real(t):
    # 1 - cos f = [2 pi sin^2(t/2) - (sin t - t cos t)] / pi, no cancellation at small t
    s = mp.sin(t / 2)
    return 2 * mp.asin(mp.sqrt((2 * mp.pi * s * s - (mp.sin(t) - t * mp.cos(t))) / (2 * mp.pi)))


t, marks, est3, est4 = mp.mpf("0.1"), {1000, 10000, 100000}, {}, {}
for step in range(1, 100001):
    t = f_real(t)
    if step in marks:
        L = mp.mpf(step)
        base = 1 / t - L / (3 * mp.pi) - mp.log(L) / (2 * mp.pi)
        est3[step] = base
        est4[step] = (base - (3 / (4 * mp.pi) * mp.log(L) - mp.pi / 5 - 1 / (3 * mp.pi)) / L) / (1 + 3 / (2 * L))
# successive differences shrink ~10x per decade (error ~ ln l / l) with three terms and ~60x
# (error ~ ln^2 l / l^2) with the 1/l term
r3 = abs(est3[10000] - est3[1000]) / abs(est3[100000] - est3[10000])
r4 = abs(est4[10000] - est4[1000]) / abs(est4[100000] - est4[10000])
check("C(0.1): error of the 3-term estimate ~ ln(l)/l, of the 4-term estimate ~ ln^2(l)/l^2",
      7 < r3 < 12 and 40 < r4 < 110, "ratios of successive differences per decade: %s, %s" % (mp.nstr(r3, 3), mp.nstr(r4, 3)))
C01 = est4[100000]
print("      C(0.1) estimates (l, 3-term, 4-term):", [(k, mp.nstr(est3[k], 12), mp.nstr(est4[k], 12)) for k in sorted(est3)])
close("C(0.1) agrees with the map-series value in docs/cli.md 9.28426092595 to its accuracy O(ln l/l) at l = 1e6",
      mp.mpf("9.28426092595"), C01, abs_=3e-5)

# ---- one layer at finite width: the moments behind the delta method
mp.mp.dps = 40
th = mp.mpf("0.7")
j11, j22, j31 = J_quad(1, 1, th), J_quad(2, 2, th), J_quad(3, 1, th)
D, K, Lq = one_layer_parts(j11, j22, j31)
m4 = single_moment(4)  # E relu(G)^4 = 3/2
# per neuron: U = (X^2 + Y^2)/2 (fluctuation of AB), W = U - 2 J11 X Y (fluctuation of AB - C^2)
EU2 = (2 * m4 + 2 * j22) / 4
varU = EU2 - mp.mpf(1) / 4
EW = mp.mpf(1) / 2 - 2 * j11 ** 2
EW2 = EU2 - 2 * j11 * (2 * j31) + 4 * j11 ** 2 * j22
varW = EW2 - EW ** 2
covUW = EU2 - 2 * j11 * j31 - mp.mpf(1) / 2 * EW
close("Var(X^2 + Y^2)/4 = (1 + J22)/2", varU, (1 + j22) / 2, rel=1e-35)
close("Var W = K/2", varW, K / 2, rel=1e-35)
close("Cov(U, W) = L/2", covUW, Lq / 2, rel=1e-35)

# strict first order: E[g(S)] = g(m) + (1/2n) sum g_ij Sigma_ij, Var = (1/n) grad g' Sigma grad g
s1, s2, s3 = sp.symbols("s1 s2 s3")
g = sp.log(s1 * s2 - s3 ** 2) - sp.log(s1) - sp.log(s2)
pt = {s1: sp.Rational(1, 2), s2: sp.Rational(1, 2), s3: sp.Float(str(j11), 40)}
grad = [sp.N(sp.diff(g, v).subs(pt), 40) for v in (s1, s2, s3)]
hess = [[sp.N(sp.diff(g, v, w).subs(pt), 40) for w in (s1, s2, s3)] for v in (s1, s2, s3)]
mom = lambda a, b: mp.mpf(1) if a == b == 0 else (single_moment(a + b) if a == 0 or b == 0 else J_quad(a, b, th))
# v = (X^2, Y^2, XY): E v_i v_j from the plain moments
pw = [(2, 0), (0, 2), (1, 1)]
Ev = [mom(*p) for p in pw]
Sig = [[mom(pw[i][0] + pw[j][0], pw[i][1] + pw[j][1]) - Ev[i] * Ev[j] for j in range(3)] for i in range(3)]
mean1 = sum(mp.mpf(str(hess[i][j])) * Sig[i][j] for i in range(3) for j in range(3)) / 2
var1 = sum(mp.mpf(str(grad[i])) * Sig[i][j] * mp.mpf(str(grad[j])) for i in range(3) for j in range(3))
close("mu_1 = 4 - 4K/D^2 (direct delta method)", mean1, 4 - 4 * K / D ** 2, rel=1e-30)
close("sigma_1^2 = 8(J22+1) + 8K/D^2 - 16L/D (direct delta method)", var1, 8 * (j22 + 1) + 8 * K / D ** 2 - 16 * Lq / D,
      rel=1e-30)


def J_closed3(theta):
    """J_{1,1}, J_{2,2}, J_{3,1} from their closed forms (checked against quadrature in
    check_moments.py)."""
    theta = mp.mpf(theta)
    r, s, p = mp.cos(theta), mp.sin(theta), mp.pi - theta
    return ((p * r + s) / (2 * mp.pi), (p * (2 * r * r + 1) + s * 3 * r) / (2 * mp.pi),
            (p * 3 * r + s * (r * r + 2)) / (2 * mp.pi))


close("J_{2,2}(0.7) closed form", J_closed3("0.7")[1], J_quad(2, 2, "0.7"), rel=1e-35)
close("J_{3,1}(0.7) closed form", J_closed3("0.7")[2], J_quad(3, 1, "0.7"), rel=1e-35)


def one_layer_law(theta, n):
    """mu(theta, n) and sigma^2(theta, n) of 4.2, at 80 extra digits (K ~ theta^4 and D ~ theta^2
    cancel at small theta)."""
    with mp.workdps(mp.mp.dps + 80):
        theta, n = mp.mpf(theta), mp.mpf(n)
        j11, j22, j31 = J_closed3(theta)
        D, K, L = one_layer_parts(j11, j22, j31)
        E = n - 1 + 4 * j22
        mu = mp.log((n - 1) * D / E) + 4 * n * (j22 + 1) / E ** 2 - 4 * n * K / ((n - 1) ** 2 * D ** 2)
        s2 = 8 * n * (j22 + 1) / E ** 2 + 8 * n * K / ((n - 1) ** 2 * D ** 2) - 16 * n * L / (E * (n - 1) * D)
        return +mu, +s2


def mu_paper(theta, n):
    return one_layer_law(theta, n)[0]


def sigma2_paper(theta, n):
    return one_layer_law(theta, n)[1]


close("mu(theta, n) = ln D + mu_1/n + O(1/n^2) (n = 1e8)", (mu_paper(th, 10 ** 8) - mp.log(D)) * 10 ** 8, mean1, rel=1e-6)
close("sigma^2(theta, n) = sigma_1^2/n + O(1/n^2) (n = 1e8)", sigma2_paper(th, 10 ** 8) * 10 ** 8, var1, rel=1e-6)
close("docs/cli.md: mu(0.1, 64)", mu_paper("0.1", 64), mp.mpf("-4.6832398257689237075"), rel=1e-19)
close("docs/cli.md: sigma^2(0.1, 64)", sigma2_paper("0.1", 64), mp.mpf("0.10601670004925179744"), rel=1e-19)

# ---- small theta: mu - ln sin^2 = -rho(n) - c1(n) theta + O(theta^2); sigma^2(0, n)
mp.mp.dps = 60
for n in (5, 16, 256):
    rho_n = mp.log(mp.mpf(n + 5) / (n - 1)) - mp.mpf(10 * n) / (n + 5) ** 2 + mp.mpf(6 * n) / (n - 1) ** 2
    c1 = 2 / (3 * mp.pi) + 8 * mp.mpf(n) / (15 * mp.pi * (n - 1) ** 2)
    h = mp.mpf("1e-12")
    y1 = mu_paper(h, n) - 2 * mp.log(mp.sin(h))
    y2 = mu_paper(2 * h, n) - 2 * mp.log(mp.sin(2 * h))
    slope = (y2 - y1) / h
    close("rho(%d)" % n, -(2 * y1 - y2), rho_n, abs_=1e-20)
    close("c1(%d)" % n, -slope, c1, rel=1e-9)
    close("sigma^2(0, %d) = 8n(n^2-2n+55)/((n-1)^2(n+5)^2)" % n, sigma2_paper(h, n),
          mp.mpf(8 * n * (n * n - 2 * n + 55)) / ((n - 1) ** 2 * (n + 5) ** 2), rel=1e-9)
# limits used in the derivation: K/D^2 -> 3/2, L/D -> 3/2 as theta -> 0
mp.mp.dps = 100
h = mp.mpf("1e-10")
D, K, Lq = one_layer_parts(*J_closed3(h))
close("K/D^2 -> 3/2", K / D ** 2, 1.5, rel=1e-8)
close("L/D -> 3/2", Lq / D, 1.5, rel=1e-8)
# the theta-linear part of K/D^2 gives the width-dependent part of c1(n): K/D^2 = 3/2 + (2/(15 pi)) theta + ...
h = mp.mpf("1e-8")  # K ~ theta^4 = 1e-32 keeps 68 of the 100 digits
D, K, Lq = one_layer_parts(*J_closed3(h))
close("K/D^2 = 3/2 + (2/(15 pi)) theta + O(theta^2)", (K / D ** 2 - 1.5) / h, 2 / (15 * mp.pi), rel=1e-6)
close("ln(D/sin^2 theta) = -(2/(3 pi)) theta + O(theta^2)", mp.log(D / mp.sin(h) ** 2) / h, -2 / (3 * mp.pi), rel=1e-6)
# the exact decay-series coefficients printed for n = 256 (docs/cli.md)
n = sp.Integer(256)
check("mu_0(256) - log((n-1)/(n+5)) = 10n/(n+5)^2 - 6n/(n-1)^2 = 6870016/492174225",
      10 * n / (n + 5) ** 2 - 6 * n / (n - 1) ** 2 == sp.Rational(6870016, 492174225))
check("mu_1(256): -c1(256) = -652298/(975375 pi)",
      sp.simplify(-(sp.Rational(2, 3) + 8 * n / (15 * (n - 1) ** 2)) - sp.Rational(-652298, 975375)) == 0)
check("s_0(256) = 14809088/492174225", 8 * n * (n * n - 2 * n + 55) / ((n - 1) ** 2 * (n + 5) ** 2) == sp.Rational(14809088, 492174225))

if relumix("bessel", "2") is not None:
    mp.mp.dps = 40
    for (n, th) in [(64, "0.1"), (7, "2"), (1000, "1e-6")]:
        j = relumix("angle", "-n", str(n), "-t", th, "-d", "30")
        close("relumix angle mu(%s, %d)" % (th, n), mp.mpf(j["mu"]), mu_paper(th, n), rel=1e-29)
        close("relumix angle sigma^2(%s, %d)" % (th, n), mp.mpf(j["sigma2"]), sigma2_paper(th, n), rel=1e-28)

finish()
