#!/usr/bin/python3
"""The sweep (issue 17): every command of `relumix --help`, with --json, on edge inputs.

Usage: sweep.py RELUMIX_BINARY [--list] [--only SUBSTRING] [--slowest N]

For every run it checks the promise of docs/cli.md:
  - the exit code is 0 or 2 (never 1, 3, a signal or a timeout; each run gets RUN_TIMEOUT s);
  - exit 0: stdout is one valid JSON document, with no NaN/Infinity (json.loads with a
    parse_constant that raises) and no string value that is a non-finite number ("nan", "-inf");
  - exit 2: stderr is exactly one line starting with "relumix: ".
  - where the JSON run succeeded, the same case without --json exits 0 too and its text has no
    nan/inf token (undefined values print as words: n/a, no samples).
The inputs are the edges of each option's grammar and range: angles 0, pi, tiny, pi - tiny, out of
range, malformed; widths 1, 2, 1e12, a million layers, malformed; whole numbers 0, 1, +3, 0x10, 1e100,
2^64, empty; files missing, empty, a directory; every choice option with a bad choice. Inputs that
are valid but take long by design (1e12 samples, a + b = 1500, verify --max 50, ...) are not run:
see EXPENSIVE. The whole sweep takes a few seconds of wall time in a Release build.
"""
import concurrent.futures
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time

BIN = os.path.abspath(sys.argv[1])
ARGS = sys.argv[2:]
RUN_TIMEOUT = 20 if os.environ.get("RELUMIX_SANITIZED") else 10

TMP = tempfile.mkdtemp(prefix="relumix_sweep_")


def tmpfile(name, content):
    path = os.path.join(TMP, name)
    with open(path, "w" if isinstance(content, str) else "wb") as f:
        f.write(content)
    return path


EMPTY_FILE = tmpfile("empty.txt", "")
COMMENTS_FILE = tmpfile("comments.txt", "# nothing\n\n   # still nothing\n")
GOOD_ARCHS = tmpfile("archs.txt", "# two\nwide: 16x3\n8,4\n")
ARCH_FILES = [
    EMPTY_FILE, COMMENTS_FILE, GOOD_ARCHS, TMP, os.path.join(TMP, "missing.txt"), "",
    tmpfile("bad_line.txt", "a: 16x2\nb: 16x\n"),
    tmpfile("empty_name.txt", ": 16x2\n"),
    tmpfile("no_widths.txt", "a:\n"),
    tmpfile("two_colons.txt", "a: b: 16\n"),
    tmpfile("width1.txt", "1\n"),
    tmpfile("huge_width.txt", "1e12\n"),
    tmpfile("binary.txt", bytes(range(256))),
    tmpfile("crlf.txt", "a: 16x2\r\nb: 8\r\n"),
    tmpfile("nul.txt", "a: 16\0x2\n"),
    tmpfile("long_name.txt", "n" * 5000 + ": 16\n"),
    tmpfile("many_layers.txt", "2x1000000\n"),
]
NOT_A_DIR = tmpfile("plain_file", "x")
OUT_DIR = os.path.join(TMP, "out")
os.mkdir(OUT_DIR)

# ---- edge values of each kind (the grammar of docs/cli.md, "Grammar")
ANGLES = ["0", "pi", "pi/2", "3pi/4", "1", "1e-12", "1e-300", "pi-1e-300", "1e-5000", "pi-1e-5000", "1e-5001",
          "pi-1e-5001", "1e-100000", "pi-1e-100000", "1e-999999999999", "", " ", "abc", "1e", "1e+", ".5", "5.",
          "-0", "-1e-3", "pi+1e-9", "2pi", "pi/0", "pi/", "/3", "1/0", "0/0", "0x1p-3", "nan", "inf", "-inf",
          "1e999999999999", "pi*", "*pi", "pipi", "pi-pi", "--1", "1,2", "0:pi:3", "\u03c0", "4", "22/7", "pi-3",
          "1e-3", "9" * 400]
INTS = ["0", "1", "2", "-1", "", " ", "0x10", "+3", "1e6", "1.5", "2.0", "1e100", "18446744073709551615",
        "18446744073709551616", "abc", "3 ", "1e-1", "01", "1e+2", "9" * 40, "1e999999999999", "nan", "1,2"]
WIDTHS = ["2", "1", "0", "1e12", "1000000000001", "2x1000000", "2x1000001", "", ",", "x", "16x", "x3", "16x0",
          "-4", "16,,16", "1e3", "2.5", "0x10", "+3", "9" * 25, "16X2", "16x2x2", " 16 x 2 ", "16;2", "3x1e6",
          "2,3,4,1e12", "16x1.5"]
# shorter sets for the options that share a parser with one swept in full above (the parser is one;
# what differs per option is the range and what the command does with the edges)
ANGLES_SHORT = ["0", "pi", "pi/2", "1e-300", "pi-1e-300", "1e-301", "1e-5000", "", "abc", "-1e-3", "pi+1e-9", "pi/0",
                "nan", "1e-999999999999", "1,2", "0:pi:3"]
INTS_SHORT = ["0", "1", "-1", "", "0x10", "+3", "1.5", "1e100", "18446744073709551616", "abc"]
WIDTHS_SHORT = ["2", "1", "1e12", "2x1000000", "", "16x", "16x0", "2.5", "0x10"]
REALS = ["0", "1", "-1", "1e6", "1e7", "1/3", "1/0", "", "abc", "nan", "inf", "1e-300", "1e999999999", "0x10"]


# ---- the cases: (command, argv) with argv a list of words (no shell)
CASES = []


def add(*argv):
    CASES.append([str(a) for a in argv])


def vary(base, flag, values):
    """base + [flag, v] for every v (flag None: v replaces the positional marker '@')."""
    for v in values:
        if flag is None:
            add(*[v if w == "@" else w for w in base])
        else:
            add(*base, flag, v)


# Valid inputs that take long by design (within the documented limits, docs/cli.md "Limits": each
# costs seconds of CPU): not run here, so that the sweep stays a few seconds. Each entry is a
# sequence of words; a case containing it is left out.
EXPENSIVE = [
    ["-s", "1e6"],                               # 1e6 Monte Carlo samples (mc, compare, accuracy, collapse, norm)
    ["mc", "-w", "1e10"],                        # kMcMaxWidth: one layer of 1e10 neurons, about 15 s
    ["collapse", "-n", "100000", "-L", "100000"],  # kCollapseMcMaxWork
    ["norm", "-n", "20000"], ["-n", "20000"],    # kNormMaxWidth: seconds
    ["-d", "100000"], ["-d", "10000"],           # kMaxDigits, kMaxAngleDigits
    ["map-series", "-k", "80"],                  # kMaxMapSeriesDegree: 14 s
    ["-k", "60"], ["-k", "5000"], ["--order", "8"], ["-k", "30"],  # the largest degrees and orders
    ["--order", "4"], ["tables", "--dir", OUT_DIR], ["many_layers.txt"], ["2x1000000"], ["3x1e6"],
    ["--hist", "1000000"], ["--bins", "1000000"], ["--bins", "10000"], ["pi-1e-5000"], ["verify", "--max", "50"],
    ["0:pi:10000001"], ["1e6,2"], ["2,1e6"], ["--order", "3", "-t", "1e-300"],  # 3 s: cli.promise has it
    ["predict", "--architectures", GOOD_ARCHS, "-t"],
]


def expensive(argv):
    for seq in EXPENSIVE:
        for i in range(len(argv) - len(seq) + 1):
            if argv[i:i + len(seq)] == seq or (len(seq) == 1 and seq[0] in argv[i]):
                return True
    return False


# global edges
add()
add("--json")
add("nosuchcommand")
add("--bogus", "moment", "1", "1")
add("moment", "1", "1", "--json")

# moment
vary(["moment", "@", "1"], None, INTS)
vary(["moment", "1", "@"], None, INTS_SHORT)
add("moment", "1500", "0", "-t", "1", "-d", "5")
add("moment", "751", "750")
add("moment", "1")
add("moment", "1", "1", "1")
add("moment", "1", "1", "-d", "10", "-t")
vary(["moment", "1", "1", "-d", "10", "-t", "@"], None, ANGLES)
vary(["moment", "0", "0", "-d", "10", "-t", "@"], None, ["0:pi:0", "0:pi:1", "0:pi:10000001", "pi:0:3", "0:pi",
                                                     "0:pi:3:4", ",", "0.1,", ",0.1", "0.1,,0.2", ":", "::",
                                                     "0:4:3", "-1:1:3", "0:pi:1e6x", "0:pi:-3", "0:pi:0x10"])
add("moment", "2", "1", "-t", "pi/3", "-d")
vary(["moment", "2", "1", "-t", "pi/3", "-d", "@"], None, INTS_SHORT + ["100000", "100001"])
add("moment", "2", "2", "--format")
vary(["moment", "2", "2", "--format", "@"], None, ["text", "latex", "", "LATEX", "xml"])
add("moment", "2", "2", "--format", "latex", "-t", "1")
add("moment", "0", "0", "-t", "7pi/10", "-d", "1")
add("moment", "1", "1", "-t", "pi/2", "-d", "1")

# series, bessel, verify
vary(["series", "@", "1"], None, INTS_SHORT)
vary(["series", "1", "1", "-k", "@"], None, INTS_SHORT + ["5000", "5001"])
add("series", "1000", "999", "-k", "2000")
add("series", "0", "0", "-k", "0")
vary(["bessel", "@"], None, INTS_SHORT + ["1500", "1501"])
add("bessel")
vary(["verify", "--max", "@"], None, [v for v in INTS_SHORT if v not in ("1e6",)] + ["51"])

# angle
vary(["angle", "-n", "16", "-d", "10", "-t", "@"], None, ANGLES)
vary(["angle", "-n", "16", "-d", "10", "--order", "3", "-t", "@"], None,
     ["pi", "1e-300", "pi-1e-300", "1e-301", "pi-1e-301", "1e-12", "pi/2"])
vary(["angle", "-t", "0.1", "-d", "10", "-n", "@"], None,
     INTS + WIDTHS[:8] + ["1e18", "1000000000000000001", "1e19"])
vary(["angle", "-n", "16", "-t", "0.1", "-d", "5", "--order", "@"], None, INTS_SHORT + ["8", "9"])
vary(["angle", "-n", "16", "-t", "0.1", "-d", "@"], None, INTS_SHORT + ["10000", "10001"])
add("angle", "-n", "16")
add("angle", "-t", "1")
add("angle", "-n", "2", "-t", "pi", "--order", "8", "-d", "20")
add("angle", "-n", "1e18", "-t", "1e-5000", "-d", "20")
add("angle", "-n", "2", "-t", "pi-1e-5000", "-d", "20")

# map-series
vary(["map-series", "-k", "@"], None, INTS_SHORT + ["80", "81"])
# (each accepted theta0 iterates the map 1.5e6 times: the refusals, and two accepted edges)
vary(["map-series", "-k", "3", "-t", "@"], None, [a for a in ANGLES_SHORT if a not in ("pi/2", "pi-1e-300")])

# decay-series
vary(["decay-series", "-k", "2", "-d", "8", "-n", "@"], None, INTS_SHORT + ["1e18", "1e19"])
vary(["decay-series", "-n", "64", "-d", "8", "-k", "@"], None, INTS_SHORT + ["60", "61"])
vary(["decay-series", "-n", "64", "-k", "2", "-d", "@"], None, INTS_SHORT + ["10000", "10001"])
vary(["decay-series", "-k", "2", "-d", "8", "--order", "@"], None, INTS_SHORT + ["4", "5"])
add("decay-series", "--order", "2", "-k", "30", "-d", "5")
add("decay-series", "--order", "2", "-k", "31", "-d", "5")
add("decay-series", "--order", "2", "-n", "64")
add("decay-series")

# predict
vary(["predict", "-t", "0.5", "-w", "@"], None, WIDTHS)
vary(["predict", "-w", "16x2", "-t", "@"], None, ANGLES_SHORT)
vary(["predict", "-w", "16x2", "-t", "0.5", "-m", "@"], None, ["infinite", "linear", "full", "density", "", "DENSITY",
                                                              "bogus"])
vary(["predict", "-w", "16x2", "-t", "0.5", "--model", "@"], None, ["accurate", "paper-linear", "paper-full", "",
                                                                   "bogus"])
vary(["predict", "-w", "16x2", "-t", "0.5", "--order", "@"], None, INTS_SHORT + ["8", "9"])
vary(["predict", "-w", "16x2", "-t", "0.5", "--grid", "@"], None, INTS_SHORT + ["3", "2", "2000000", "2000001"])
vary(["predict", "-w", "16x2", "-t", "0.5", "-j", "@"], None, ["0", "1", "4097"])
for m in ["infinite", "linear", "full", "density"]:
    for w in ["2", "2x60"]:
        for t in ["pi", "1e-300", "pi-1e-300", "pi/2"]:
            add("predict", "-w", w, "-t", t, "-m", m)
    add("predict", "-w", "16x2", "-t", "0.5", "-m", m, "--model", "paper-linear", "--full-mean", "--full-variance")
    add("predict", "-w", "4x3", "-t", "3", "-m", m, "--model", "paper-full", "--order", "8")
add("predict", "-w", "16", "-t", "0.5", "-m", "infinite", "--grid", "100")
add("predict", "-w", "16", "-t", "0.5", "--full-mean")
add("predict", "-w", "16", "-t", "0.5", "--model", "paper-linear", "--order", "3")
add("predict", "-w", "1e6,2", "-t", "0.5")
add("predict", "-w", "2,1e6", "-t", "0.5")
add("predict", "-w", "2x50", "-t", "pi")
add("predict", "-t", "0.5")
add("predict", "-w", "16")
vary(["predict", "--architectures", "@"], None, ARCH_FILES)
add("predict", "--architectures", GOOD_ARCHS, "-w", "16")
add("predict", "--architectures", GOOD_ARCHS, "-t", "pi")
add("predict", "--architectures", GOOD_ARCHS, "-m", "infinite")
add("predict", "--architectures", GOOD_ARCHS, "-t", "1e-300", "-j", "1")

# mc
MC = ["mc", "-s", "50"]
vary(MC + ["-t", "0.5", "-w", "@"], None, WIDTHS_SHORT)
vary(MC + ["-w", "4x3", "-t", "@"], None, ANGLES_SHORT)
vary(["mc", "-w", "4x3", "-t", "0.5", "-s", "@"], None, INTS)
vary(MC + ["-w", "4x3", "-t", "0.5", "--seed", "@"], None, ["0", "18446744073709551615", "18446744073709551616", "-1"])
vary(MC + ["-w", "4x3", "-t", "0.5", "-j", "@"], None, ["0", "1", "", "4096", "4097"])
vary(MC + ["-w", "4x3", "-t", "0.5", "--mode", "@"], None, ["chain", "network", "", "bogus"])
vary(MC + ["-w", "4x3", "-t", "0.5", "--hist", "@"], None, INTS_SHORT + ["1000000", "1000001"])
ACTS = ["relu", "abs", "leaky:0", "leaky:1", "leaky:-1", "leaky:2", "leaky:", "leaky:1/0", "leaky:nan", "leaky:1/3",
        "LEAKY:0.1", "", "leaky", "leaky:0.1:2", "leaky:1e-300", "leaky:-1e-300", "leaky:" + "1" * 300]
for mode in ["chain", "network"]:
    vary(MC + ["-w", "4x3", "-t", "0.5", "--mode", mode, "--activation", "@"], None, ACTS)
    for t in ["pi", "1e-300", "pi-1e-300", "pi/2"]:
        for act in ["abs", "leaky:1"]:
            add(*MC, "-w", "2x5", "-t", t, "--mode", mode, "--activation", act)
    add(*MC, "-w", "1", "-t", "0.5", "--mode", mode)
    add(*MC, "-w", "1x40", "-t", "1", "--mode", mode)
add(*MC, "-w", "2x400", "-t", "pi")
# the finite-width faces of another activation (order 1 keeps the coefficient tables cheap)
vary(["predict", "-w", "8x2", "-t", "0.5", "--order", "1", "--activation", "@"], None, ACTS)
for t in ["pi", "pi/2", "1e-300", "pi-1e-300", "3"]:
    for act in ["abs", "leaky:1", "leaky:0.5", "leaky:-1/2"]:
        add("predict", "-w", "8x3", "-t", t, "--order", "1", "--activation", act)
        add("predict", "-w", "8x3", "-t", t, "-m", "full", "--order", "1", "--activation", act)
add("compare", "-w", "8x2", "-t", "0.5", "-s", "50", "--order", "1", "--activation", "leaky:0.1")
add("compare", "-w", "8x2", "-t", "pi", "-s", "50", "--order", "1", "--activation", "abs")
add("accuracy", "-w", "8", "-t", "0.5,pi", "--order", "1", "-s", "50", "--activation", "leaky:0.1")
add("accuracy", "-w", "8", "-t", "pi", "--order", "1", "-s", "50", "--activation", "abs")
vary(["decay-series", "--order", "1", "-k", "1", "--activation", "@"], None, ACTS)
add("decay-series", "-n", "8", "--activation", "abs")
add("mc", "-w", "2", "-t", "1", "-s", "1")
add("mc", "-w", "2", "-t", "1", "-s", "2")
add("mc", "-w", "1e10", "-t", "1", "-s", "1")
add("mc", "-w", "10000000001", "-t", "1", "-s", "1")
add("mc", "--mode", "network", "-w", "100000x2", "-s", "100000", "-t", "1")
add("mc", "-w", "2x1000000", "-t", "1", "-s", "1")
dump = os.path.join(OUT_DIR, "dump.csv")
for layer, path in [("1", dump), ("0", dump), ("4", dump), ("1", "/nonexistent/dir/dump.csv"), ("1", ""), ("1", TMP),
                    ("x", dump), ("-1", dump)]:
    add(*MC, "-w", "4x3", "-t", "0.5", "--dump-layer", layer, path)
add(*MC, "-w", "4x3", "-t", "0.5", "--dump-layer", "1")
ckpt = os.path.join(OUT_DIR, "run.ckpt")
for path in [ckpt, "/nonexistent/dir/run.ckpt", "", TMP, EMPTY_FILE, GOOD_ARCHS]:
    add(*MC, "-w", "4x3", "-t", "0.5", "--checkpoint", path)
vary(MC + ["-w", "4x3", "-t", "0.5", "--checkpoint", os.path.join(OUT_DIR, "every.ckpt"), "--checkpoint-every", "@"],
     None, ["0", "-1", "abc", "1e9", "nan", "inf", "", "0.001", "1e-300", "5"])
add(*MC, "-w", "4x3", "-t", "0.5", "--checkpoint-every", "5")
add("mc", "-w", "4x3")
add("mc", "-t", "1")

# compare
CMP = ["compare", "-w", "8x2", "-s", "50"]
vary(["compare", "-s", "50", "-t", "0.5", "-w", "@"], None, WIDTHS_SHORT)
vary(CMP + ["-t", "@"], None, ANGLES_SHORT)
vary(["compare", "-w", "8x2", "-s", "@"], None, INTS_SHORT)
vary(CMP + ["--seed", "@"], None, ["0", "18446744073709551615", "18446744073709551616", "-1", ""])
vary(CMP + ["--methods", "@"], None, ["", ",", "infinite", "density", "bogus", "density,density", "infinite,",
                                      "INFINITE", "linear,full"])
vary(CMP + ["--model", "@"], None, ["accurate", "paper-linear", "paper-full", "", "bogus"])
vary(CMP + ["--order", "@"], None, INTS_SHORT + ["8", "9"])
vary(CMP + ["--density-layers", "@"], None, ["0", "1", "2", "3", "1,2", "1,2,3", "", "1,1", "2,1", ",", "-1", "1e100"])
vary(CMP + ["--bins", "@"], None, INTS_SHORT + ["10000", "10001", "1000000", "1000001"])
for path in [os.path.join(OUT_DIR, "fig.svg"), "/nonexistent/dir/fig.svg", "", TMP, os.path.join(OUT_DIR, "noext")]:
    add(*CMP, "--plot", path)
for t in ["pi", "1e-300", "pi-1e-300", "pi/2"]:
    for w in ["2x3", "8x2"]:
        add("compare", "-w", w, "-t", t, "-s", "50")
add("compare", "-w", "1e12", "-s", "1")
add("compare", "-w", "2x60", "-s", "20", "-t", "pi")

# collapse
vary(["collapse", "-L", "4", "-n", "@"], None, INTS_SHORT + ["1000000", "1000001"])
vary(["collapse", "-n", "3", "-L", "@"], None, INTS_SHORT + ["1e18", "1000000000000000001"])
vary(["collapse", "-n", "3", "-L", "4", "-d", "@"], None, INTS_SHORT + ["100000", "100001"])
vary(["collapse", "-n", "3", "-L", "4", "-s", "100", "--bias-std", "@"], None, REALS)
vary(["collapse", "-n", "3", "-L", "4", "--inputs", "@"], None, INTS_SHORT + ["3"])
vary(["collapse", "-n", "3", "-L", "4", "--inputs", "2", "-s", "100", "-t", "@"], None, ANGLES_SHORT)
vary(["collapse", "-n", "3", "-L", "4", "--mc", "-s", "@"], None, INTS_SHORT)
vary(["collapse", "-n", "3", "-L", "4", "--mc", "-s", "100", "--seed", "@"], None,
     ["0", "9223372036854775807", "9223372036854775808", "18446744073709551615", "-1"])
add("collapse", "-n", "3", "-L", "4", "-t", "1")
add("collapse", "-n", "3", "-L", "4", "-s", "10")
add("collapse", "-n", "1", "-L", "1e18")
add("collapse", "-n", "1e6", "-L", "1")
add("collapse", "-n", "1e6", "-L", "1e18")
add("collapse", "-n", "1", "-L", "100", "--mc", "-s", "10")
add("collapse", "-n", "100000", "-L", "100000", "--mc", "-s", "1")
add("collapse", "-n", "1", "-L", "4", "--inputs", "2", "-s", "20", "-t", "0")
add("collapse", "-n", "1", "-L", "4", "--inputs", "2", "-s", "20", "-t", "pi/2", "--bias-std", "1")

# norm
vary(["norm", "-L", "2", "-d", "5", "-n", "@"], None, INTS_SHORT + ["20000", "20001"])
vary(["norm", "-n", "3", "-d", "5", "-L", "@"], None, INTS_SHORT + ["1e18", "1000000000000000001"])
vary(["norm", "-n", "3", "-L", "2", "-d", "@"], None, INTS_SHORT + ["100000", "100001"])
vary(["norm", "-n", "3", "-L", "2", "-d", "5", "--mc", "-s", "@"], None, INTS_SHORT)
vary(["norm", "-n", "3", "-L", "2", "-d", "5", "-s", "@"], None, ["10", ""])
for n, L in [("1", "1"), ("1", "300"), ("2", "1000"), ("8", "300"), ("1", "1e18"), ("20000", "1e18")]:
    add("norm", "-n", n, "-L", L, "-d", "5")
    add("norm", "-n", n, "-L", L, "-d", "5", "--mc", "-s", "2")
    add("norm", "-n", n, "-L", L, "-d", "5", "--mc", "-s", "3")
add("norm", "-n", "8", "-L", "300", "--mc", "-s", "2")

# accuracy
ACC = ["accuracy", "-s", "200", "--order", "2"]
vary(ACC + ["-t", "0.5", "-w", "@"], None, WIDTHS_SHORT + ["16x2", "16,32", "2,2"])
vary(ACC + ["-w", "16", "-t", "@"], None, ANGLES_SHORT + ["0:pi:3", "0.1:pi:3", "0.1:1:1001"])
vary(["accuracy", "-w", "16", "-t", "0.5", "--order", "2", "-s", "@"], None, INTS_SHORT)
vary(["accuracy", "-w", "16", "-t", "0.5", "-s", "200", "--order", "@"], None, INTS_SHORT + ["8", "9"])
vary(ACC + ["-w", "16", "-t", "0.5", "--seed", "@"], None, ["0", "18446744073709551616", ""])
vary(ACC + ["-w", "16", "-t", "0.5", "-j", "@"], None, ["0", "1", "4097", ""])
for path in [os.path.join(OUT_DIR, "acc.md"), "/nonexistent/dir/acc.md", "", TMP]:
    add(*ACC, "-w", "16", "-t", "0.5", "--markdown", path)
for w in ["2", "3", "1e12"]:
    for t in ["pi", "1e-300", "pi-1e-300", "pi/2"]:
        add(*ACC, "-w", w, "-t", t)

# tables (it writes files: only its argument checks and one real run into a scratch directory)
for d in ["/nonexistent", "/nonexistent/deeper", "", NOT_A_DIR]:
    add("tables", "--dir", d)
add("tables", "--dir", os.path.join(OUT_DIR))

# demo: only its argument checks (the tour itself runs in cli.schema)
for path in ["/nonexistent/dir/fig.svg", "", TMP]:
    add("demo", "--plot", path)
add("demo", "extra")

# every command: an unknown option, and the help of nothing
for cmd in ["moment", "series", "bessel", "verify", "angle", "map-series", "decay-series", "predict", "mc", "compare",
            "collapse", "norm", "tables", "accuracy", "demo"]:
    add(cmd, "--bogus")
    add(cmd, "-t")
    add(cmd, "--", "1")

CASES = [c for c in CASES if not expensive(c)]

# ---- the checks
NONFINITE = re.compile(r"^[-+]?(nan|inf|infinity)$", re.I)
TEXT_NONFINITE = re.compile(r"(?<![A-Za-z_])[-+]?(nan|inf|infinity)(?![A-Za-z_])", re.I)


def no_constant(name):
    raise ValueError("non-finite number " + name)


def bad_strings(node, path=""):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from bad_strings(v, path + "/" + k)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from bad_strings(v, path + "/" + str(i))
    elif isinstance(node, str) and NONFINITE.match(node.strip()):
        yield path + " = " + node


def run(argv, json_mode):
    full = [BIN] + (["--json"] if json_mode else []) + argv
    env = dict(os.environ, RELUMIX_PROGRESS="0")
    t0 = time.monotonic()
    try:
        r = subprocess.run(full, capture_output=True, timeout=RUN_TIMEOUT, env=env, cwd=TMP)
    except subprocess.TimeoutExpired:
        return ["timeout after %d s" % RUN_TIMEOUT], time.monotonic() - t0
    secs = time.monotonic() - t0
    out = r.stdout.decode("utf-8", "replace")
    err = r.stderr.decode("utf-8", "replace")
    problems = []
    if r.returncode not in (0, 2):
        problems.append("exit %d: %s" % (r.returncode, err.strip()[:300]))
    elif r.returncode == 2:
        lines = err.split("\n")
        if not (len(lines) == 2 and lines[1] == "" and lines[0].startswith("relumix: ")):
            problems.append("exit 2 without exactly one 'relumix: ' line on stderr: %r" % err[:300])
        if out.strip():
            problems.append("exit 2 with output on stdout: %r" % out[:200])
    elif json_mode:
        try:
            doc = json.loads(out, parse_constant=no_constant)
            for b in bad_strings(doc):
                problems.append("non-finite string value " + b)
        except ValueError as e:
            problems.append("stdout is not valid JSON (%s): %r" % (e, out[:200]))
    else:
        for line in out.splitlines():
            if TEXT_NONFINITE.search(line):
                problems.append("nan/inf in the text: %r" % line[:200])
                break
    if r.returncode == 0 and "internal error" in err:
        problems.append("exit 0 with an internal error on stderr: %r" % err[:300])
    return problems, secs


def run_case(argv):
    """The JSON run, and where it succeeded the text run too (a refusal is the same in both)."""
    problems, secs = run(argv, True)
    shown = ["relumix --json " + shlex.join(argv) + ": " + p for p in problems]
    if not problems:
        p2, s2 = run(argv, False)
        shown += ["relumix " + shlex.join(argv) + ": " + p for p in p2]
        secs += s2
    return shown, secs


def main():
    only = None
    if "--only" in ARGS:
        only = ARGS[ARGS.index("--only") + 1]
    cases = [c for c in CASES if only is None or only in " ".join(c)]
    if os.environ.get("RELUMIX_SANITIZED") and only is None:
        cases = cases[::3]  # under ASan/UBSan every run is several times slower: a third of the cases
    if "--list" in ARGS:
        for c in cases:
            print(shlex.join(c))
        return 0
    t0 = time.monotonic()
    failures, slow = [], []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        for argv, (problems, secs) in zip(cases, pool.map(run_case, cases)):
            slow.append((secs, shlex.join(argv)))
            for p in problems:
                failures.append(p)
                print("FAIL:", p)
    slow.sort(reverse=True)
    if "--slowest" in ARGS:
        for secs, shown in slow[:int(ARGS[ARGS.index("--slowest") + 1])]:
            print("%6.2f s  %s" % (secs, shown))
    print("%d cases in %.1f s (JSON, and text where JSON succeeded); slowest: %s" % (
        len(cases), time.monotonic() - t0, "; ".join("%.2f s %s" % s for s in slow[:3])))
    print("%d failure(s)" % len(failures))
    return 1 if failures else 0


sys.exit(main())
