"""Checks of section 9 of docs/theory.md: the plain moments of
phi_alpha(x) = max(x,0) + alpha min(x,0) and their reduction to J, the closed-form examples, Price's
theorem for phi_alpha, the infinite-width map f_alpha (its series in w, the large-depth expansion),
the O(1/n) coefficients with q = Mbar_{4,0}, the degenerate events.
Run: /usr/bin/python3 docs/checks/check_activations.py (about a minute)."""
import numpy as np
import sympy as sp
import mpmath as mp

from common import J_quad, check, close, finish, radial_moment

mp.mp.dps = 40
pi = mp.pi


def M_quad(alpha, a, b, theta, wa=None, wb=None):
    """E[g_a(G) g_b(G')] by polar quadrature over the whole circle, split at the four sign changes;
    g_k(x) = x^k (x > 0), w_k x^k (x < 0) with w_k = alpha^k unless given (phi^0 = 1)."""
    theta, alpha = mp.mpf(theta), mp.mpf(alpha)
    wa = alpha ** a if wa is None else wa
    wb = alpha ** b if wb is None else wb
    g = lambda x, k, w: (x ** k if x > 0 else w * x ** k)
    h = pi / 2
    f = lambda p: g(mp.cos(p), a, wa) * g(mp.cos(p - theta), b, wb)
    I = mp.quad(f, [-h, theta - h, h, theta + h, 3 * h])
    return radial_moment(a + b) / (2 * pi) * I


def M_reduced(alpha, a, b, theta):
    """same J(theta) + opposite J(pi - theta), same = 1 + (-alpha)^(a+b), opposite = (-alpha)^a + (-alpha)^b"""
    alpha, theta = mp.mpf(alpha), mp.mpf(theta)
    same = 1 + (-alpha) ** (a + b)
    opp = (-alpha) ** a + (-alpha) ** b
    return same * J_quad(a, b, theta) + opp * J_quad(a, b, pi - theta)


# ---- the reduction to J against the whole-circle quadrature
for alpha in ["0.3", "-0.5", "-1", "1", "0.01"]:
    for (a, b) in [(1, 1), (2, 2), (3, 1), (2, 1), (0, 3), (3, 3), (2, 0), (4, 1)]:
        for th in ["0.7", "2.0"]:
            close("M^%s_{%d,%d}(%s): reduction to J(theta), J(pi - theta)" % (alpha, a, b, th),
                  M_reduced(alpha, a, b, th), M_quad(alpha, a, b, th), rel=1e-30, abs_=1e-35)

# ---- closed-form examples in the basis (pi - theta) P + sin Q + pi U
def form(P, Q, U, th):
    th = mp.mpf(th)
    r, s = mp.cos(th), mp.sin(th)
    return ((pi - th) * P(r) + s * Q(r) + pi * U(r)) / (2 * pi)


for th in ["0.4", "1.9", "3.0"]:
    close("|x| M_{1,1} = rho + (2/pi)(sin - theta rho)", form(lambda r: 4 * r, lambda r: 4, lambda r: -2 * r, th),
          M_quad(-1, 1, 1, th), rel=1e-30)
    close("|x| M_{3,1}: P = 12 rho, Q = 4 rho^2 + 8, U = -6 rho",
          form(lambda r: 12 * r, lambda r: 4 * r ** 2 + 8, lambda r: -6 * r, th), M_quad(-1, 3, 1, th), rel=1e-30)
    al = mp.mpf(1) / 10
    close("leaky 1/10 M_{2,2}: P = (9801/5000) rho^2 + 9801/10000, Q = (29403/10000) rho, U = rho^2/25 + 1/50",
          form(lambda r: mp.mpf(9801) / 5000 * r ** 2 + mp.mpf(9801) / 10000, lambda r: mp.mpf(29403) / 10000 * r,
               lambda r: r ** 2 / 25 + mp.mpf(1) / 50, th), M_quad(al, 2, 2, th), rel=1e-30)
    close("|x| M_{2,1}: sqrt(2 pi) M = 2 rho^2 + 2", (2 * mp.cos(mp.mpf(th)) ** 2 + 2) / mp.sqrt(2 * pi),
          M_quad(-1, 2, 1, th), rel=1e-30)

# ---- special values and the zero crossing of M_{1,1} at alpha = 3/10
al = mp.mpf(3) / 10
m = lambda k: (mp.fac2(k - 1) / 2 if k % 2 == 0 else mp.fac2(k - 1) / mp.sqrt(2 * pi)) if k > 0 else mp.mpf(1) / 2
for (a, b) in [(2, 2), (3, 1), (2, 1)]:
    e = lambda k: (1 + (-al) ** k) * m(k)
    close("M(pi/2) = E phi^a E phi^b, (%d,%d)" % (a, b), M_quad(al, a, b, pi / 2), e(a) * e(b), rel=1e-30)
    close("M(pi) = ((-alpha)^a + (-alpha)^b) m_{a+b}, (%d,%d)" % (a, b), M_quad(al, a, b, pi - mp.mpf(10) ** -30),
          ((-al) ** a + (-al) ** b) * m(a + b), rel=1e-25)
root = mp.findroot(lambda t: M_reduced(al, 1, 1, t), 1.76)
close("M_{1,1} at alpha = 3/10 vanishes at 1.75976743596488911347916548673", root,
      mp.mpf("1.75976743596488911347916548673"), abs_=1e-28)

# ---- Price's theorem for phi_alpha: d/drho M_{a,b} = a b E[g_{a-1} g_{b-1}] with weights alpha^a, alpha^b
for alpha in ["0.3", "-1"]:
    for (a, b) in [(2, 2), (3, 1), (2, 1)]:
        al = mp.mpf(alpha)
        th = mp.mpf("1.1")
        d = mp.diff(lambda r: M_quad(al, a, b, mp.acos(r)), mp.cos(th))
        close("Price: d M^%s_{%d,%d}/d rho" % (alpha, a, b), d,
              a * b * M_quad(al, a - 1, b - 1, th, wa=al ** a, wb=al ** b), rel=1e-20)

# ---- the infinite-width map: cos f = M11/M20 = cos + w (sin - theta cos)/pi
for alpha in ["0.3", "-0.5", "-1"]:
    al = mp.mpf(alpha)
    w = (1 - al) ** 2 / (1 + al ** 2)
    for th in ["0.7", "2.0"]:
        t = mp.mpf(th)
        close("cos f_%s(%s) = cos + w (sin - theta cos)/pi" % (alpha, th), M_quad(al, 1, 1, t) / ((1 + al ** 2) / 2),
              mp.cos(t) + w * (mp.sin(t) - t * mp.cos(t)) / pi, rel=1e-30)

# ---- the series of f in w (sympy), and against a Cauchy integral at w = 1/5
T, P, W = sp.symbols("T P W", positive=True)
N = 7
cos_s = sum((-1) ** k * T ** (2 * k) / sp.factorial(2 * k) for k in range(N))
sin_s = sum((-1) ** k * T ** (2 * k + 1) / sp.factorial(2 * k + 1) for k in range(N))
u = sp.expand(1 - cos_s - W * (sin_s - T * cos_s) / P)
cs = [0, 1] + [sp.Symbol("c%d" % k) for k in range(2, N)]
f = sum(c * T ** k for k, c in enumerate(cs))
onemcos = sp.expand(sum((-1) ** (k + 1) * f ** (2 * k) / sp.factorial(2 * k) for k in range(1, N // 2 + 1)))
sol = {}
for k in range(3, N + 1):
    co = sp.expand(sp.expand(onemcos - u).coeff(T, k).subs(sol))
    sol[cs[k - 1]] = sp.solve(co, cs[k - 1])[0]
want = {2: -W / (3 * P), 3: -W ** 2 / (18 * P ** 2), 4: -W / (45 * P) - W ** 3 / (54 * P ** 3),
        5: W ** 2 / (90 * P ** 2) - 5 * W ** 4 / (648 * P ** 4)}
for k, v in want.items():
    check("coefficient of theta^%d in f_alpha = %s" % (k, v), sp.simplify(sol[cs[k]] - v) == 0, str(sp.factor(sol[cs[k]])))
wv = mp.mpf(1) / 5


def f_alpha(z, w=wv):
    g = mp.sqrt((1 - mp.cos(z) - w * (mp.sin(z) - z * mp.cos(z)) / pi) / (z * z))
    return 2 * mp.asin(z * g / mp.sqrt(2))


Nc, r = 128, mp.mpf("0.5")
zs = [r * mp.expj(2 * pi * k / Nc) for k in range(Nc)]
fs = [f_alpha(z) for z in zs]
for k in range(2, 6):
    ck = (sum(fs[j] * zs[j] ** (-k) for j in range(Nc)) / Nc).real
    close("Cauchy coefficient of theta^%d at w = 1/5" % k, ck, mp.mpf(str(sp.N(want[k].subs({W: sp.Rational(1, 5), P: sp.pi}), 45))),
          abs_=1e-30)

# ---- large depth: u = 1/theta, u_l = a l + B ln l + C + (D1 ln l + D0)/l, solved order by order
fser = sum((cs[k] if k < 2 else sol[cs[k]]) * T ** k for k in range(1, 5))
inv = sp.expand(sp.series(1 / fser, T, 0, 3).removeO())
a1, a2, a3 = [sp.simplify(inv.coeff(T, k)) for k in (0, 1, 2)]  # u' = u + a1 + a2/u + a3/u^2
l, Lg, C, B, D1, D0 = sp.symbols("l Lg C B D1 D0")
uu = a1 * l + B * Lg + C + (D1 * Lg + D0) / l
du = a1 + B * (1 / l - 1 / (2 * l ** 2)) + (D1 * (Lg + 1 / l) + D0) / (l + 1) - (D1 * Lg + D0) / l
rhs = a1 + a2 / uu + a3 / uu ** 2
e = sp.Symbol("e")
dif = sp.series((du - rhs).subs(l, 1 / e), e, 0, 3).removeO()
s2 = sp.solve([sp.expand(dif).coeff(e, 1), sp.expand(dif.coeff(e, 2)).coeff(Lg, 1),
               sp.expand(dif.coeff(e, 2)).coeff(Lg, 0)], [B, D1, D0], dict=True)[0]
check("large depth: a = w/(3 pi)", sp.simplify(a1 - W / (3 * P)) == 0, str(a1))
check("large depth: B = w/(2 pi)", sp.simplify(s2[B] - W / (2 * P)) == 0, str(s2[B]))
check("large depth: D1 = 3w/(4 pi)", sp.simplify(s2[D1] - 3 * W / (4 * P)) == 0, str(s2[D1]))
check("large depth: D0 = 3C/2 - w/(3 pi) - pi/(5w)", sp.simplify(s2[D0] - (3 * C / 2 - W / (3 * P) - P / (5 * W))) == 0,
      str(sp.simplify(s2[D0])))

# ---- C(theta0) by iterating f in mpmath (30 digits) and the four-term expansion (the table)
mp.mp.dps = 30
table = {"0": ("0.1", "9.284244"), "0.2": ("0.1", "9.514277"), "-1": ("0.1", "8.784778"), "0.5": ("1.5707963267948966", "0.633695")}
for alpha, (t0, want_c) in table.items():
    al = mp.mpf(alpha)
    w = (1 - al) ** 2 / (1 + al ** 2)
    t = mp.mpf(t0)
    L = 20000
    for _ in range(L):
        uu_ = 2 * mp.sin(t / 2) ** 2 - w / pi * (mp.sin(t) - t * mp.cos(t))
        t = 2 * mp.asin(mp.sqrt(uu_ / 2))
    lnL = mp.log(L)
    c_est = (1 / t - w / (3 * pi) * L - w / (2 * pi) * lnL - (3 * w / (4 * pi) * lnL - w / (3 * pi) - pi / (5 * w)) / L) / (1 + mp.mpf(1.5) / L)
    close("C(%s) for alpha = %s (table, iterated to l = %d)" % (t0, alpha, L), c_est, mp.mpf(want_c), abs_=2e-5)
mp.mp.dps = 40

# ---- the O(1/n) coefficients with q = Mbar_{4,0}: delta method (sympy), and q = 3/2 gives ReLU's
A_, B_, C_ = sp.symbols("A B C")
J, J22, J31, q = sp.symbols("J J22 J31 q")
g = sp.log(A_ * B_ - C_ ** 2) - sp.log(A_) - sp.log(B_)
pt = {A_: sp.Rational(1, 2), B_: sp.Rational(1, 2), C_: J}
v = [A_, B_, C_]
S = sp.Matrix([[q - sp.Rational(1, 4), J22 - sp.Rational(1, 4), J31 - J / 2],
               [J22 - sp.Rational(1, 4), q - sp.Rational(1, 4), J31 - J / 2],
               [J31 - J / 2, J31 - J / 2, J22 - J ** 2]])  # covariance of (X^2, Y^2, XY), E X^2 = 1/2
grad = sp.Matrix([sp.diff(g, x) for x in v]).subs(pt)
H = sp.Matrix([[sp.diff(g, x, y) for y in v] for x in v]).subs(pt)
mu1 = sum(H[i, j] * S[i, j] for i in range(3) for j in range(3)) / 2
s1 = (grad.T * S * grad)[0]
D = 1 - 4 * J ** 2
h = q - sp.Rational(1, 2)
Kq = 8 * J ** 2 * J22 - 8 * J ** 4 + 4 * J ** 2 - 8 * J * J31 + J22 + h
Lq = 2 * J ** 2 - 4 * J * J31 + J22 + h
check("mu_1 = 4(q - 1/2) - 4 K_q/D^2", sp.simplify(mu1 - (4 * h - 4 * Kq / D ** 2)) == 0)
check("sigma_1^2 = 8(J22 + q - 1/2) + 8 K_q/D^2 - 16 L_q/D", sp.simplify(s1 - (8 * (J22 + h) + 8 * Kq / D ** 2 - 16 * Lq / D)) == 0)
# the per-neuron moments behind the finite-n form (section 4.2): T = (X^2 + Y^2)/2, W = T - 2 J XY
ET2 = (2 * q + 2 * J22) / 4
varT = ET2 - sp.Rational(1, 4)
varW = ET2 - 4 * J * J31 + 4 * J ** 2 * J22 - (sp.Rational(1, 2) - 2 * J ** 2) ** 2
covTW = ET2 - 2 * J * J31 - sp.Rational(1, 2) * (sp.Rational(1, 2) - 2 * J ** 2)
check("Var T = (J22 + q - 1/2)/2, Var W = K_q/2, Cov(T, W) = L_q/2",
      sp.simplify(varT - (J22 + h) / 2) == 0 and sp.simplify(varW - Kq / 2) == 0 and sp.simplify(covTW - Lq / 2) == 0)
for alpha, want_q in [("0", mp.mpf(3) / 2), ("-1", mp.mpf(3) / 4)]:
    al = mp.mpf(alpha)
    close("q = Mbar_{4,0} = (3/2)(1 + alpha^4)/(1 + alpha^2)^2, alpha = " + alpha,
          M_quad(al, 4, 0, "1.0") / (1 + al ** 2) ** 2, want_q, rel=1e-30)

# ---- degenerate events at theta = pi: parallel outputs with probability 2^(1-n) (0 < |alpha| < 1)
rng = np.random.default_rng(5)
n, trials, alpha = 3, 200000, 0.3
G = rng.standard_normal((trials, n))
X, Y = np.where(G > 0, G, alpha * G), np.where(-G > 0, -G, -alpha * G)
cos = (X * Y).sum(1) / np.sqrt((X * X).sum(1) * (Y * Y).sum(1))
par = np.mean(np.abs(np.abs(cos) - 1) < 1e-12)
se = np.sqrt(0.25 * 0.75 / trials)
check("P(parallel | theta = pi) = 2^(1-n) = 1/4 at n = 3, alpha = 0.3", abs(par - 0.25) < 4.5 * se, "got %.4f" % par)
# from 0 < theta < pi no parallel outputs for n >= 2
th = 1.0
Z = rng.standard_normal((trials, n))
Gh = np.cos(th) * G + np.sin(th) * Z
X, Y = np.where(G > 0, G, alpha * G), np.where(Gh > 0, Gh, alpha * Gh)
cos = (X * Y).sum(1) / np.sqrt((X * X).sum(1) * (Y * Y).sum(1))
check("no parallel outputs from theta = 1 at n = 3 (leaky 0.3)", np.sum(np.abs(np.abs(cos) - 1) < 1e-12) == 0)

finish()
