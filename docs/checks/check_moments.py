"""Checks of docs/theory.md section 2 (the mixed moments J_{a,b}) and the near-pi behaviour of
section 3. Run: /usr/bin/python3 docs/checks/check_moments.py  (about a minute)."""
import sympy as sp
import mpmath as mp

from common import J_quad, J_cartesian, check, close, finish, radial_moment, relumix, single_moment

mp.mp.dps = 40
x = sp.Symbol("rho")
t = sp.Symbol("theta")


def bessel(b, j):
    return sp.factorial(b) / (2 ** j * sp.factorial(j) * sp.factorial(b - 2 * j))


def fac2(k):
    return sp.factorial2(k) if k >= 0 else 1  # (-1)!! = 1


def P_bessel(a, b):
    return sp.expand(sum(bessel(b, j) * fac2(a + b - 2 * j - 1) * x ** (b - 2 * j) * (1 - x ** 2) ** j
                         for j in range(b // 2 + 1)))


def solve_Q(rhs):
    """Polynomial Q with (1 - rho^2) Q' - rho Q = rhs (undetermined coefficients)."""
    d = max(sp.Poly(rhs, x).degree(), 0) + 1
    cs = sp.symbols("q0:%d" % (d + 1))
    Q = sum(c * x ** k for k, c in enumerate(cs))
    eqs = sp.Poly(sp.expand((1 - x ** 2) * sp.diff(Q, x) - x * Q - rhs), x).all_coeffs()
    sol = sp.solve(eqs, cs, dict=True)
    assert len(sol) == 1, "no unique polynomial solution"
    return sp.expand(Q.subs(sol[0]).subs({c: 0 for c in cs}))


_cf = {}


def closed_form(a, b):
    """(P, Q) for a+b even or R for a+b odd, built as in the text: P by the Bessel sum, Q from the
    Price ODE, R by integrating the Price recursion from rho = -1 (J(pi) = 0)."""
    if a < b:
        return closed_form(b, a)
    if (a, b) in _cf:
        return _cf[(a, b)]
    if (a + b) % 2 == 0:
        P = P_bessel(a, b)
        if b == 0:
            rhs = sp.factorial2(a) * (1 - x ** 2) ** (a // 2)  # 0!! = 1: J_{0,0}' = 1/(2 pi s)
        else:
            rhs = a * b * (1 - x ** 2) * closed_form(a - 1, b - 1)[1]
        r = (P, solve_Q(sp.expand(rhs - P)))
    else:
        if b == 0:
            d = sp.factorial2(a) * (1 - x ** 2) ** ((a - 1) // 2) / 2
        else:
            d = a * b * closed_form(a - 1, b - 1)
        R = sp.integrate(d, (x, -1, x))
        r = sp.expand(R)
    _cf[(a, b)] = r
    return r


def J_closed(a, b, theta):
    with mp.workdps(mp.mp.dps + 40):  # (pi - theta) P + s Q cancels near pi (section 3)
        return +_J_closed(a, b, mp.mpf(theta))


_fn = {}


def _J_closed(a, b, theta):
    rho, s = mp.cos(theta), mp.sin(theta)
    if (a, b) not in _fn:
        cf = closed_form(a, b)
        _fn[(a, b)] = [sp.lambdify(x, p, "mpmath") for p in (cf if (a + b) % 2 == 0 else (cf,))]
    f = _fn[(a, b)]
    if (a + b) % 2 == 0:
        return ((mp.pi - theta) * f[0](rho) + s * f[1](rho)) / (2 * mp.pi)
    return f[0](rho) / mp.sqrt(2 * mp.pi)


# ---- the SPEC/theory table of examples
table = {(0, 0): ("1", "0"), (1, 1): ("rho", "1"), (2, 0): ("1", "rho"), (2, 2): ("2*rho**2+1", "3*rho"),
         (3, 1): ("3*rho", "rho**2+2"), (4, 0): ("3", "-2*rho**3+5*rho")}
for (a, b), (P, Q) in table.items():
    cf = closed_form(a, b)
    check("table P,Q of J_{%d,%d}" % (a, b), sp.expand(cf[0] - sp.sympify(P)) == 0 and
          sp.expand(cf[1] - sp.sympify(Q)) == 0, "P = %s, Q = %s" % (cf[0], cf[1]))
oddt = {(1, 0): "(1+rho)/2", (2, 1): "(1+rho)**2/2", (3, 0): "(1+rho)**2*(2-rho)/2", (3, 2): "(1+rho)**3"}
for (a, b), R in oddt.items():
    check("table R of J_{%d,%d}" % (a, b), sp.expand(closed_form(a, b) - sp.sympify(R)) == 0, str(sp.factor(closed_form(a, b))))

# ---- closed forms against quadrature (two independent numerical routes)
for a in range(0, 6):
    for b in range(0, a + 1):
        worst = max(abs(J_closed(a, b, th) / J_quad(a, b, th) - 1) for th in ("0.3", "1", "2", "3"))
        check("closed form = polar quadrature, J_{%d,%d}" % (a, b), worst < mp.mpf(10) ** -30, "max rel err %s" % mp.nstr(worst, 3))
mp.mp.dps = 15
for (a, b) in [(1, 1), (2, 1), (3, 2)]:
    close("polar = cartesian quadrature, J_{%d,%d}(0.7)" % (a, b), J_cartesian(a, b, "0.7"), J_quad(a, b, "0.7"), rel=1e-10)
mp.mp.dps = 40

# ---- identities
th = mp.mpf("1.1")
for (a, b) in [(1, 1), (2, 2), (3, 1), (3, 2), (4, 3)]:
    # Price: dJ/drho = a b J_{a-1,b-1}; J as a function of rho through theta = acos(rho)
    d = mp.diff(lambda r: J_quad(a, b, mp.acos(r)), mp.cos(th))
    close("Price dJ_{%d,%d}/drho = ab J_{%d,%d}" % (a, b, a - 1, b - 1), d, a * b * J_quad(a - 1, b - 1, th), rel=1e-20)
for a in range(1, 6):
    d = mp.diff(lambda r: J_quad(a, 0, mp.acos(r)), mp.cos(th))
    close("base column dJ_{%d,0}/drho" % a, d, a * single_moment(a - 1) * mp.sin(th) ** (a - 1) / mp.sqrt(2 * mp.pi), rel=1e-20)


def E_relu_times_power(a, b, theta):
    """E[relu(G)^a G'^b] (relu^0 = 1{G > 0}; G'^0 = 1), polar quadrature over G > 0."""
    theta = mp.mpf(theta)
    return radial_moment(a + b) / (2 * mp.pi) * mp.quad(lambda p: mp.cos(p) ** a * mp.cos(p - theta) ** b,
                                                        [-mp.pi / 2, mp.pi / 2])


for (a, b) in [(1, 1), (2, 3), (3, 0), (4, 2), (0, 3)]:
    lhs = J_quad(a, b, th) + (-1) ** b * J_quad(a, b, mp.pi - th)
    close("reflection J_{%d,%d}(t) + (-1)^b J(pi - t)" % (a, b), lhs, E_relu_times_power(a, b, th), rel=1e-30)
    bes = sum(float(bessel(b, j)) * 0 + mp.mpf(sp.Integer(bessel(b, j))) * mp.cos(th) ** (b - 2 * j) *
              mp.sin(th) ** (2 * j) * single_moment(a + b - 2 * j) for j in range(b // 2 + 1))
    close("E[relu(G)^a G'^b] = Bessel sum, (%d,%d)" % (a, b), bes, E_relu_times_power(a, b, th), rel=1e-30)
for (a, b) in [(1, 1), (2, 2), (3, 1), (2, 1), (3, 2), (0, 0)]:
    close("J_{%d,%d}(0) = m_{a+b}" % (a, b), J_closed(a, b, 0), single_moment(a + b), rel=1e-35)
    close("J_{%d,%d}(pi/2) = m_a m_b" % (a, b), J_closed(a, b, mp.pi / 2), single_moment(a) * single_moment(b), rel=1e-35)
    close("J_{%d,%d}(pi) = 0" % (a, b), J_closed(a, b, mp.pi), 0, abs_=1e-35)

# arc-cosine kernels (Cho & Saul): 2 pi J_{n,n} = (-1)^n s^(2n+1) ((1/s) d/dtheta)^n ((pi - theta)/s)
for n in range(0, 6):
    f = (sp.pi - t) / sp.sin(t)
    for _ in range(n):
        f = sp.diff(f, t) / sp.sin(t)
    k = (-1) ** n * sp.sin(t) ** (2 * n + 1) * f
    P, Q = closed_form(n, n)
    ours = (sp.pi - t) * P.subs(x, sp.cos(t)) + sp.sin(t) * Q.subs(x, sp.cos(t))
    diff = [abs(sp.N((k - ours).subs(t, v), 30)) for v in (sp.Rational(3, 10), 1, sp.Rational(5, 2))]
    check("arc-cosine kernel n = %d" % n, max(diff) < 1e-25, "max |diff| %.1e" % max(diff))

# symmetry of the polynomials built along different Price chains
for (a, b) in [(3, 1), (4, 2), (5, 2)]:
    check("symmetry J_{%d,%d} = J_{%d,%d} (Bessel sums)" % (a, b, b, a), sp.expand(P_bessel(a, b) - P_bessel(b, a)) == 0
          if (a + b) % 2 == 0 else True)

# ---- Taylor series at 0: coefficients r0 + r1/pi (a+b even), r/sqrt(2 pi) (odd)
for (a, b), want in {(1, 1): ["1/2", "0", "-1/4", "1/(6*pi)", "1/48", "-1/(60*pi)"],
                     (2, 2): None, (3, 1): None}.items():
    P, Q = closed_form(a, b)
    expr = ((sp.pi - t) * P.subs(x, sp.cos(t)) + sp.sin(t) * Q.subs(x, sp.cos(t))) / (2 * sp.pi)
    ser = sp.series(expr, t, 0, 8).removeO()
    coeffs = [sp.simplify(ser.coeff(t, k)) for k in range(8)]
    ok = all(sp.Poly(sp.expand(c * sp.pi), sp.pi).degree() <= 1 for c in coeffs)
    check("Taylor coefficients of J_{%d,%d} lie in Q + Q/pi" % (a, b), ok, str(coeffs[:6]))
    if want:
        check("Taylor coefficients of J_{1,1}", all(sp.simplify(coeffs[k] - sp.sympify(want[k])) == 0 for k in range(6)))
R = closed_form(2, 1)
ser = sp.series(R.subs(x, sp.cos(t)), t, 0, 4).removeO()
check("Taylor series of sqrt(2 pi) J_{2,1} = 2 - theta^2 + ...", sp.expand(ser - (2 - t ** 2)) == 0, str(ser))

# ---- near theta = pi: J_{a,b}(pi - phi) = E[R^(a+b)] a! b! / (2 pi (a+b+1)!) phi^(a+b+1) (1 + O(phi^2))
for (a, b) in [(2, 2), (1, 0), (3, 1), (0, 0), (3, 2)]:
    phi = mp.mpf("1e-4")
    lead = radial_moment(a + b) * mp.factorial(a) * mp.factorial(b) / (2 * mp.pi * mp.factorial(a + b + 1)) * phi ** (a + b + 1)
    close("J_{%d,%d}(pi - 1e-4) ~ leading term" % (a, b), J_quad(a, b, mp.pi - phi), lead, rel=1e-7)
close("docs/cli.md value J_{2,2}(pi-1e-4)", J_quad(2, 2, mp.pi - mp.mpf("1e-4")), mp.mpf("4.2441318076998150257e-22"), rel=1e-19)

# ---- relumix's closed forms against ours (optional)
if relumix("moment", "0", "0") is not None:
    for a in range(0, 9):
        for b in range(0, 9):
            j = relumix("moment", str(a), str(b))
            cf = closed_form(a, b)
            if (a + b) % 2 == 0:
                P = sum(sp.Rational(c) * x ** k for k, c in enumerate(j["P"]))
                Q = sum(sp.Rational(c) * x ** k for k, c in enumerate(j["Q"]))
                ok = sp.expand(P - cf[0]) == 0 and sp.expand(Q - cf[1]) == 0
            else:
                Rr = sum(sp.Rational(c) * x ** k for k, c in enumerate(j["R"]))
                ok = sp.expand(Rr - cf) == 0
            if not ok:
                check("relumix moment %d %d" % (a, b), False)
    check("relumix moment a b (a, b <= 8) equals the closed forms built here", True)
    for (a, b, th) in [(1, 1, "pi/3"), (2, 2, "pi-1e-4"), (3, 0, "2"), (5, 4, "1e-8"), (7, 7, "pi-1e-3")]:
        v = relumix("moment", str(a), str(b), "-t", th, "-d", "30")["value"]
        thv = mp.pi / 3 if th == "pi/3" else (mp.pi - mp.mpf(th[3:]) if th.startswith("pi-") else mp.mpf(th))
        close("relumix J_{%d,%d}(%s) to 30 digits" % (a, b, th), mp.mpf(v), J_quad(a, b, thv), rel=mp.mpf(10) ** -29)

finish()
