#!/usr/bin/python3
"""Every command's --json output against its JSON Schema (docs/schema/<command>.json).

Usage: check_schemas.py RELUMIX_BINARY SCHEMA_DIR

Runs each command on a few cheap inputs (one per output variant), requires exit 0 and valid JSON
without NaN/Infinity, validates it, checks the envelope names the command, and checks that the
schemas are strict: renaming any key of the output (top level and the first element of every
list of objects) must make validation fail. Also: every command of `relumix --help` has a schema
and a case here, and every schema file is used. Needs Debian's python3-jsonschema.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

import jsonschema

BIN, SCHEMAS = sys.argv[1], sys.argv[2]

TMP = tempfile.mkdtemp(prefix="relumix_schema_")
ARCHS = os.path.join(TMP, "archs.txt")
with open(ARCHS, "w") as f:
    f.write("# two nets\nwide: 64x3\n16,32,16\n")
TABLES = os.path.join(TMP, "tables")
os.mkdir(TABLES)

CASES = {
    "demo": [],  # checked through its steps below, once (it takes a few seconds)
    "moment": ["moment 2 2", "moment 3 2", "moment 1 1 -t pi/3 -d 20", "moment 2 1 -t 0:pi:3 -d 5",
               "moment 0 0 -t 0.1,pi-1e-4 -d 3",
               "moment 2 2 --activation leaky:0.1", "moment 2 1 --activation abs", "moment 1 1 -t 1 -d 5 --activation abs",
               "moment 1 1 -t 0.1,1 -d 5 --activation leaky:1/10"],
    "series": ["series 1 1 -k 3", "series 2 1 -k 2", "series 2 2 -k 3 --activation leaky:0.2"],
    "bessel": ["bessel 6"],
    "verify": ["verify --max 3", "verify --max 2 --activation abs"],
    "angle": ["angle -n 64 -t 0.1 -d 10", "angle -n 16 -t pi --order 2", "angle -t 1 -d 5 --activation leaky:0.1",
              "angle -n 16 -t 1 -d 5 --order 2 --activation abs"],
    "map-series": ["map-series -k 3", "map-series -k 2 -t 0.1", "map-series -k 2 -t 0.5 --activation abs",
                   "map-series -k 2 -t 0.5 --activation leaky:0.6",
                   "map-series -k 2 --activation leaky:1"],
    "decay-series": ["decay-series -n 64 -k 2 -d 8", "decay-series --order 1 -k 1 -d 5",
                     "decay-series --order 2 -k 1 -d 5 --activation leaky:0.1"],
    "predict": ["predict -w 16x3 -t 0.5", "predict -w 16x2 -t 0.5 -m full --order 2", "predict -w 8 -t pi -m infinite",
                "predict --architectures " + ARCHS, "predict -w 16x2 -t 0.5 --activation leaky:0.1 --order 2"],
    "mc": ["mc -w 16x2 -t 0.5 -s 200 --hist 3", "mc --mode network -w 3,2 -t pi/2 -s 50", "mc -w 2x40 -t 1 -s 20", "mc -w 8x3 -t 3 -s 100 --activation leaky:1/10 --hist 4", "mc --mode network -w 4,3 -t pi -s 30 --activation abs"],
    "compare": ["compare -w 16x2 -s 100", "compare -w 8x2 -t pi -s 50 --methods infinite,linear",
                "compare -w 16x2 -s 100 --activation abs"],
    "collapse": ["collapse -n 3 -L 4", "collapse -n 3 -L 4 --mc -s 200", "collapse -n 3 -L 2 --inputs 2 -s 100"],
    "norm": ["norm -n 3 -L 2 -d 5", "norm -n 40 -L 2 -d 5 --mc -s 100", "norm -n 1 -L 300 -d 5 --mc -s 2"],
    "tables": ["tables --dir " + TABLES],
    "accuracy": ["accuracy -w 16 -t 0.5,1 --order 2 -s 200", "accuracy -w 16 -t 1 --order 2 -s 200 --activation abs"],
}

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def no_constant(name):
    raise ValueError("non-finite number " + name)


def validator(command):
    with open(os.path.join(SCHEMAS, command + ".json")) as f:
        schema = json.load(f)
    resolver = jsonschema.RefResolver(base_uri="file://" + os.path.abspath(SCHEMAS) + "/", referrer=schema)
    return jsonschema.Draft202012Validator(schema, resolver=resolver)


# keys that a command's output may omit (everything else is required: deleting it must fail)
OPTIONAL = {
    "map-series": {"theta0", "C", "activation", "C_alpha_over_pi"},
    "moment": {"activation"},  # moment, series, verify: the activation is named unless it is relu
    "series": {"activation"},
    "verify": {"activation"},
    "angle": {"activation"},
    "predict": {"model", "order", "mean_model", "variance_model", "grid", "theta", "sd", "q05", "q50", "q95",
                "p_excluded", "mean_error", "sd_error", "activation"},
    "decay-series": {"activation"},
    "accuracy": {"activation"},
    "mc": {"hist"},
    "compare": {"q05", "q50", "q95", "p_excluded", "mean_error", "sd_error", "theta", "activation"},
    "norm": {"mean_per_layer_closed_form", "var_per_layer_closed_form", "mc"},
}

# objects keyed by data (a basis, a method name), not by the schema: their keys are not renamed
MAPS = {"terms", "unavailable", "predictions"}


def renamed_variants(doc):
    """Copies of doc with one key renamed: every key of every object, following the first item of
    every list; not the keys of MAPS objects (their values are followed) nor a demo step's output."""
    def walk(node, path, rename=True):
        if isinstance(node, list):
            if node:
                yield from walk(node[0], path + [0])
        elif isinstance(node, dict):
            for k, v in node.items():
                if rename:
                    yield path + [k]
                if k == "output":
                    continue
                yield from walk(v, path + [k], rename=not (k in MAPS and isinstance(v, dict)))
    for p in walk(doc, []):
        copy = json.loads(json.dumps(doc))
        node = copy
        for step in p[:-1]:
            node = node[step]
        node[str(p[-1]) + "_renamed"] = node.pop(p[-1])
        yield p, copy


def check(command, args, doc=None):
    if doc is None:
        r = subprocess.run([BIN, "--json"] + args.split(), capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            fail(f"relumix {args}: exit {r.returncode}: {r.stderr.strip()}")
            return
        try:
            doc = json.loads(r.stdout, parse_constant=no_constant)
        except ValueError as e:
            fail(f"relumix {args}: not JSON ({e})")
            return
    v = validator(command)
    errors = sorted(v.iter_errors(doc), key=lambda e: list(e.path))
    for e in errors[:3]:
        fail(f"relumix {args}: {'/'.join(map(str, e.path))}: {e.message[:200]}")
    if errors:
        return
    if list(doc)[0] != "relumix" or doc["relumix"]["command"] != command:
        fail(f"relumix {args}: the envelope must come first and name '{command}'")
    for path, bad in renamed_variants(doc):
        if v.is_valid(bad):
            fail(f"relumix {args}: the schema accepts the key {'/'.join(map(str, path))} renamed (not strict)")
        if path[-1] in OPTIONAL.get(command, ()) or isinstance(path[-1], int):
            continue
        missing = json.loads(json.dumps(bad))
        node = missing
        for step in path[:-1]:
            node = node[step]
        del node[str(path[-1]) + "_renamed"]
        if v.is_valid(missing):
            fail(f"relumix {args}: the schema accepts the output without {'/'.join(map(str, path))} (not required)")


# every command has a schema and a case; every schema is used
help_text = subprocess.run([BIN, "--help"], capture_output=True, text=True).stdout
commands = re.findall(r"^  ([a-z][a-z-]*)\s", help_text.split("Subcommands:")[1], re.M)
schemas = {f[:-5] for f in os.listdir(SCHEMAS) if f.endswith(".json") and f != "common.json"}
for c in commands:
    if c not in schemas:
        fail(f"command {c} has no docs/schema/{c}.json")
    if c not in CASES:
        fail(f"command {c} has no case in check_schemas.py")
for s in schemas - set(commands):
    fail(f"docs/schema/{s}.json names no command")

for command, cases in CASES.items():
    for args in cases:
        check(command, args)

# demo: its envelope, and every step's output against that step's command
r = subprocess.run([BIN, "--json", "demo"], capture_output=True, text=True, timeout=300)
if r.returncode != 0:
    fail(f"relumix demo: exit {r.returncode}: {r.stderr.strip()}")
else:
    demo = json.loads(r.stdout, parse_constant=no_constant)
    check("demo", "demo", demo)
    for step in demo.get("steps", []):
        check(step["command"].split()[1], step["command"][len("relumix "):], step["output"])

print(f"{len(failures)} failure(s)")
sys.exit(1 if failures else 0)
