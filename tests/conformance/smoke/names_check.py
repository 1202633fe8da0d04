#!/usr/bin/env python3
"""Checks the column-naming table pinned in tests/lowering.rs against Kusto.Language.

Reads every `("<expr>", "<name>")` row of `function_column_names_follow_kusto_language` and asks
Microsoft's analyzer (kusto_check.js) what it names `X | project <expr>`, so the table (and
FUNCTION_NAMING in src/lower/names.rs, which the test pins) cannot drift from KQL. Rows KQL
rejects are reported too. Exit status 0 when every row agrees.

Usage: tests/conformance/smoke/names_check.py   (from the repository root; set KQLPORT_ORACLES
if .oracles is not in this checkout, e.g. KQLPORT_ORACLES=/work/main/.oracles)
"""
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
TABLES = {"X": {"T": "datetime", "A": "string", "N": "long", "R": "real", "D": "dynamic", "B": "bool"}}


def rows():
    text = open(os.path.join(ROOT, "tests", "lowering.rs"), encoding="utf-8").read()
    body = text.split("fn function_column_names_follow_kusto_language()", 1)[1]
    body = body.split("let mut wrong", 1)[0]
    pat = re.compile(r'\(\s*"((?:[^"\\]|\\.)*)",\s*"((?:[^"\\]|\\.)*)"\s*\)')
    unescape = lambda s: s.replace('\\"', '"').replace("\\\\", "\\")
    return [(unescape(e), unescape(n)) for e, n in pat.findall(body)]


VARIANTS = ["N", "A", "T", "D", "N, 2", "T, 1d", "T, 1d, datetime(2024-01-01)", "T, 'yyyy'", "A, '@'"]


def table_rows():
    """FUNCTION_NAMING rows of src/lower/names.rs as (function, expected name of f(<arg>))."""
    text = open(os.path.join(ROOT, "src", "lower", "names.rs"), encoding="utf-8").read()
    body = text.split("pub const FUNCTION_NAMING", 1)[1].split("];", 1)[0]
    out = []
    for f, kind, extra in re.findall(r'\("(\w+)", Naming::(\w+)(?:\("(\w+)"\))?\)', body):
        out.append((f, kind, extra))
    return out


def expected(kind, extra, arg):
    return {"FirstArgument": arg, "Prefix": f"{extra}_{arg}", "Suffix": f"{arg}_{extra}"}[kind]


def main():
    cases = rows()
    # Every FUNCTION_NAMING row, probed with the first argument list KQL accepts.
    for f, kind, extra in table_rows():
        for v in VARIANTS:
            cases.append((f"{f}({v})", expected(kind, extra, v.split(",")[0]), True))
    cases = [c if len(c) == 3 else (c[0], c[1], False) for c in cases]
    if not cases:
        print("no rows found in tests/lowering.rs", file=sys.stderr)
        return 2
    env = dict(os.environ)
    if "KQLPORT_ORACLES" not in env and not os.path.isdir(os.path.join(ROOT, ".oracles")):
        env["KQLPORT_ORACLES"] = "/work/main/.oracles"
    inp = json.dumps([{"query": f"X | project {e}", "tables": TABLES} for e, _, _ in cases])
    out = subprocess.run(["node", os.path.join(HERE, "kusto_check.js")], input=inp,
                         capture_output=True, text=True, env=env, cwd=ROOT)
    results = json.loads(out.stdout)
    bad = 0
    probed = set()
    for (e, want, variant), r in zip(cases, results):
        f = e.split("(", 1)[0]
        if variant and (f in probed or not r["ok"]):
            continue  # a variant KQL rejects, or the function is already checked
        if variant:
            probed.add(f)
        if not r["ok"]:
            bad += 1
            print(f"KQL rejects `{e}`: {r['semantic'][:1] or r['syntax'][:1]}")
            continue
        got = r["columns"][0]["name"]
        if got != want:
            bad += 1
            print(f"`{e}`: kqlport names it {want}, Kusto.Language {got}")
    missing = {f for f, _, _ in table_rows()} - probed
    for f in sorted(missing):
        bad += 1
        print(f"FUNCTION_NAMING row `{f}`: no argument list tried here type-checks in KQL")
    n = sum(1 for c in cases if not c[2]) + len(probed)
    print(f"{n - bad} of {n} naming rows (tests/lowering.rs and FUNCTION_NAMING) agree with Kusto.Language")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
