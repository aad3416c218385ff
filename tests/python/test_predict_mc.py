"""predict and mc: the CLI's JSON for the same call (mc bitwise), a plain numpy simulation, errors."""
import numpy as np
import pytest

import relumix


def _same_floats(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.array([np.nan if v is None else v for v in b], dtype=np.float64)
    return a.shape == b.shape and np.array_equal(a.view(np.int64), b.view(np.int64))


@pytest.mark.parametrize("args,kw", [
    ([], {}),
    (["--method", "linear"], {"method": "linear"}),
    (["--method", "full", "--order", "2"], {"method": "full", "order": 2}),
    (["--order", "2"], {"order": 2}),
    (["--model", "paper-linear", "--full-mean", "--grid", "501"], {"model": "paper-linear", "full_mean": True, "grid": 501}),
    (["--model", "paper-linear", "--order", "2"], {"model": "paper-linear", "order": 2}),
    (["--model", "paper-full"], {"model": "paper-full"}),
    (["--activation", "leaky:1/10"], {"activation": "leaky:0.1"}),
    (["--activation", "abs", "--method", "full"], {"activation": "abs", "method": "full"}),
])
def test_predict_matches_cli(cli, args, kw):
    ref = cli("predict", "--widths", "64x10", "--theta0", "0.5", *args)
    got = relumix.predict("64x10", "0.5", **kw)
    assert got["method"] == ref["method"]
    for key in ("model", "order", "mean_model", "variance_model", "activation"):
        if key in ref:
            assert got[key] == ref[key]
    assert got["layer"].dtype.kind == "i" and list(got["layer"]) == [L["layer"] for L in ref["layers"]]
    for key in ref["layers"][0]:
        if key == "layer":
            continue
        assert got[key].dtype == np.float64 and got[key].shape == (10,)
        assert _same_floats(got[key], [L[key] for L in ref["layers"]]), key
    for key in ("sd", "q05", "q50", "q95", "theta", "p_excluded", "mean_error", "sd_error"):
        assert (key in got) == (key in ref["layers"][0])


def test_predict_widths_sequence_and_density():
    a = relumix.predict([64] * 5 + [32] * 5, 0.5)
    b = relumix.predict("64x5,32x5", "0.5")
    assert np.array_equal(a["mean"], b["mean"])
    d = relumix.predict("64x5", "0.5", density=True)
    assert d["density"].shape == (5, d["grid"].shape[0])
    # the accurate model's grid is uniform in W = ln cot(theta/2): each point's cell width in X is "cell"
    assert np.all(np.diff(d["grid"]) > 0) and d["cell"].shape == d["grid"].shape
    assert np.allclose((d["density"] * d["cell"]).sum(axis=1), 1.0, atol=1e-9)
    # the density's mean is the reported mean
    assert np.allclose((d["density"] * d["cell"] * d["grid"]).sum(axis=1), d["mean"], atol=1e-4)
    # the paper models' grid is uniform in X
    u = relumix.predict("64x5", "0.5", model="paper-full", density=True)
    assert np.allclose(u["cell"], u["grid"][1] - u["grid"][0])
    assert np.allclose((u["density"] * u["grid"]).sum(axis=1) * u["cell"][0], u["mean"], atol=1e-6)


def test_predict_errors(cli_error):
    with pytest.raises(ValueError) as e:
        relumix.predict("256y32", 0.5)
    assert cli_error("predict", "--widths", "256y32", "--theta0", "0.5").endswith(str(e.value))
    with pytest.raises(ValueError):
        relumix.predict("64x3", 0.0)
    with pytest.raises(ValueError):
        relumix.predict("64x3", 0.5, method="nope")
    with pytest.raises(ValueError):
        relumix.predict([64, 1], 0.5)
    with pytest.raises(ValueError):
        relumix.predict("64x3", 0.5, method="linear", order=2)


def test_mc_bitwise_as_cli(cli):
    ref = cli("mc", "--widths", "32x6", "--theta0", "0.4", "--samples", 700, "--seed", 7)
    got = relumix.mc("32x6", "0.4", samples=700, seed=7)
    for key in ("mode", "activation", "widths", "theta0", "samples", "seed", "partial", "samples_done", "block"):
        assert got[key] == ref[key], key
    layers = ref["layers"]
    for key, v in layers[0].items():
        if key == "theta":
            for k2 in v:
                assert _same_floats(got["theta"][k2], [L["theta"][k2] for L in layers]), k2
        elif isinstance(v, int):
            assert list(got[key]) == [L[key] for L in layers], key
        else:
            assert _same_floats(got[key], [L[key] for L in layers]), key
    # the thread count does not change a bit
    again = relumix.mc([32] * 6, 0.4, samples=700, seed=7, threads=1)
    assert np.array_equal(again["mean"], got["mean"]) and np.array_equal(again["q50"], got["q50"])


def test_mc_keep():
    r = relumix.mc("16x4", 0.3, samples=400, seed=3, keep=True)
    x = r["x"]
    assert x.dtype == np.float64 and x.shape == (4, 400)
    used = ~np.isnan(x)
    assert list(used.sum(axis=1)) == list(r["count"])
    assert np.allclose(np.nanmean(x, axis=1), r["mean"], rtol=1e-12, atol=1e-12)
    assert np.allclose(np.nanmin(x, axis=1), r["min"], rtol=0, atol=0)


def test_mc_against_plain_simulation():
    """A plain numpy simulation of the network (He weights, two inputs at angle theta0) agrees with mc
    within the combined standard errors."""
    rng = np.random.default_rng(5)
    n, L, S, t0 = 32, 3, 3000, 0.6
    X = np.zeros((L, S))
    for s in range(S):
        x = np.zeros(n); y = np.zeros(n)
        x[0] = 1.0; y[0] = np.cos(t0); y[1] = np.sin(t0)
        for l in range(L):
            W = rng.normal(0.0, np.sqrt(2.0 / n), size=(n, n))
            x = np.maximum(W @ x, 0); y = np.maximum(W @ y, 0)
            c = x @ y / np.sqrt((x @ x) * (y @ y))
            X[l, s] = np.log1p(-min(c, 1.0) ** 2)
    r = relumix.mc(f"{n}x{L}", t0, samples=20000, seed=11)
    se = np.sqrt(X.var(axis=1, ddof=1) / S + r["stderr_mean"] ** 2)
    assert np.all(np.abs(X.mean(axis=1) - r["mean"]) < 5 * se)


def test_mc_errors():
    with pytest.raises(ValueError):
        relumix.mc("32x-1", 0.5)
    with pytest.raises(ValueError):
        relumix.mc("32x3", 1e-301)
    with pytest.raises(ValueError):
        relumix.mc("32x3", 0.5, samples=0)
    with pytest.raises(ValueError):
        relumix.mc("32x3", float("nan"))


@pytest.mark.parametrize("args,kw", [
    (["--order", 2], {"order": 2}),
    ([], {}),
    (["--model", "paper-linear"], {"model": "paper-linear"}),
    (["--activation", "leaky:0.2"], {"activation": "leaky:0.2"}),
])
def test_compare_matches_cli(cli, args, kw):
    got = relumix.compare("32x8", "0.3", samples=800, seed=4, **kw)
    ref = cli("compare", "--widths", "32x8", "--theta0", "0.3", "--samples", 800, "--seed", 4, *args)
    got.pop("mc_seconds"); ref.pop("mc_seconds")
    assert got == ref
    assert [L["ks"]["d"] is not None for L in got["layers"]] == [True] * 8
    with pytest.raises(ValueError):
        relumix.compare("32x8", 0.3, methods="density,nope")


def test_mc_options_as_cli(cli):
    ref = cli("mc", "--widths", "16x3", "--theta0", "pi/3", "--samples", 300, "--seed", 2, "--activation", "leaky:0.1",
              "--hist", 8)
    got = relumix.mc("16x3", "pi/3", samples=300, seed=2, activation="leaky:0.1", hist=8)
    assert got["activation"] == ref["activation"]
    assert got["hist"] == [L["hist"] for L in ref["layers"]]
    assert _same_floats(got["theta"]["mean"], [L["theta"]["mean"] for L in ref["layers"]])
    ref = cli("mc", "--widths", "8x3", "--theta0", "1", "--samples", 200, "--mode", "network")
    got = relumix.mc("8x3", 1.0, samples=200, mode="network")
    assert _same_floats(got["mean"], [L["mean"] for L in ref["layers"]])
    with pytest.raises(ValueError):
        relumix.mc("8x3", 1.0, activation="tanh")


def test_float_angles_print_as_python_does(cli):
    # a float is its exact binary value; its text (theta0 in the reports, messages) is Python's repr
    got = relumix.mc("16x3", 0.4, samples=200)
    assert got["theta0"] == "0.4"
    ref = cli("mc", "--widths", "16x3", "--theta0", "0.4", "--samples", 200)
    assert _same_floats(got["mean"], [L["mean"] for L in ref["layers"]])
    with pytest.raises(ValueError, match=r"angle 0\.0 is outside \(0, pi\]"):
        relumix.mc("8x3", 0.0)
    with pytest.raises(ValueError, match="not to an array"):
        relumix.J(1, 1, [0.1, 0.2], digits=5)


def test_activation_predict_and_decay_series(cli):
    # the density of leaky:0.1 keeps every network and reports E[theta]; the decay series' theta^0 column is
    # the small-angle law c01 = -2 (1 + a^4)/(1 + a^2)^2 (docs/theory.md 9.6), s01 = -4 c01
    p = relumix.predict("64x4", 0.1, activation="leaky:1/10")
    assert p["activation"] == "leaky:0.1" and np.all(p["p_excluded"] == 0)
    assert np.all(np.diff(p["theta"]) < 0) and p["theta"][0] < 0.1
    d = relumix.decay_series(degree=0, order=1, activation="leaky:1/10")
    assert d == cli("decay-series", "--degree", 0, "--order", 1, "--activation", "leaky:0.1")
    c01 = [c for c in d["mu"] if c["k"] == 1][0]
    assert c01["terms"] == {"1": "-20002/10201"}
    with pytest.raises(ValueError, match="order"):
        relumix.decay_series(width=64, activation="abs")
    with pytest.raises(ValueError, match="linear"):
        relumix.predict("64x4", 0.1, method="linear", activation="abs")
