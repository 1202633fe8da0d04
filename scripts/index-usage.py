#!/usr/bin/env python3
"""How many SPL translations filter on the index (issue 16, step 9b).

    scripts/index-usage.py [--kqlport BIN] [PATH ...]      (default: rules/ ../shared/corpus)

Runs `kqlport convert --to spl --format json` over the paths and, for every translated query,
`kqlport explain --ir --format json` on its file. A query *has a positive field condition* when
one of its leading filters (the `where` stages before any other stage: the only ones the base
search can take) has, as a top-level conjunct, a positive test of an event column against
constants — a string test that is not negated (`==`, `=~`, `in`, `has`, `contains`,
`startswith`, `matches regex` …), a comparison or `in` of a column with literals, or an `or` of
such. Time-window conjuncts on the time column do not count. With --anywhere, a filter after
other stages counts too (a condition the base search can never take: a wider denominator).

Of those, the script counts the translations whose base `search` line filters on something
beyond `index=*`, `sourcetype=…`, `earliest=` and `latest=`. It prints both counts, the share,
and (with --list) the queries without a prefilter.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BASE_KEYS = re.compile(r'^(index=\*|sourcetype="(?:[^"\\]|\\.)*"|earliest=\S+|latest=\S+)$')


def default_bin() -> str:
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    for profile in ("release", "debug"):
        p = os.path.join(target, profile, "kqlport")
        if os.path.exists(p):
            return p
    return "kqlport"


def field_column(expr) -> str | None:
    kind = expr.get("kind", {})
    if isinstance(kind, dict) and "Field" in kind:
        return kind["Field"]["column"]
    return None


def is_literal(expr) -> bool:
    kind = expr.get("kind", {})
    return isinstance(kind, dict) and "Literal" in kind


def positive(pred) -> bool:
    kind = pred["kind"]
    if not isinstance(kind, dict):
        return False
    if "StrMatch" in kind:
        sm = kind["StrMatch"]
        return not sm["negated"] and field_column(sm["field"]) is not None
    if "Compare" in kind:
        c = kind["Compare"]
        return c["op"] == "Eq" and (
            (field_column(c["lhs"]) is not None and is_literal(c["rhs"]))
            or (field_column(c["rhs"]) is not None and is_literal(c["lhs"]))
        )
    if "InSet" in kind:
        s = kind["InSet"]
        return not s["negated"] and field_column(s["expr"]) is not None
    if "Or" in kind:
        return all(positive(p) for p in kind["Or"])
    if "And" in kind:
        return any(positive(p) for p in kind["And"])
    return False


def has_positive_condition(ir, anywhere: bool = False) -> bool:
    for stage in ir["stages"]:
        kind = stage["kind"]
        if not (isinstance(kind, dict) and "Filter" in kind):
            if anywhere:
                continue
            return False
        if positive(kind["Filter"]):
            return True
    return False


def search_filters(output: str) -> bool:
    """Whether the first line's search clause has a term beyond index/sourcetype/time."""
    first = output.split("\n", 1)[0]
    if not first.startswith("search "):
        return False
    rest = first[len("search "):]
    try:
        tokens = shlex.split(rest, posix=False)
    except ValueError:
        return True  # something beyond the fixed keys, with quotes shlex cannot split
    return any(not BASE_KEYS.match(t) for t in tokens)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kqlport", default=default_bin())
    ap.add_argument("--list", action="store_true", help="list the queries without a prefilter")
    ap.add_argument("--anywhere", action="store_true",
                    help="count a positive condition in any filter stage, not only the leading ones")
    ap.add_argument("--outputs", metavar="FILE",
                    help="read the `convert --to spl --format json` lines from FILE (e.g. saved from "
                         "another build, to measure before/after) instead of running convert")
    ap.add_argument("paths", nargs="*", default=["rules/", "../shared/corpus"])
    a = ap.parse_args()
    if a.outputs:
        with open(a.outputs, encoding="utf-8") as f:
            lines = f.read().splitlines()
    else:
        conv = subprocess.run([a.kqlport, "convert", "--to", "spl", "--format", "json", *a.paths],
                              cwd=ROOT, capture_output=True, text=True)
        lines = conv.stdout.splitlines()
    outputs = [json.loads(line) for line in lines if line.strip()]
    translated = [o for o in outputs if o.get("output")]
    irs: dict[str, list] = {}
    total = with_positive = with_prefilter = 0
    missing = []
    for o in translated:
        total += 1
        f = o["file"]
        if f not in irs:
            r = subprocess.run([a.kqlport, "explain", "--ir", "--format", "json", f],
                               cwd=ROOT, capture_output=True, text=True)
            try:
                irs[f] = json.loads(r.stdout)
            except json.JSONDecodeError:
                irs[f] = []
        ir = next((q.get("ir") for q in irs[f] if q.get("index") == o["index"]), None)
        if not ir or not has_positive_condition(ir, a.anywhere):
            continue
        with_positive += 1
        if search_filters(o["output"]):
            with_prefilter += 1
        else:
            missing.append(f"{f}#{o['index']}: {o['output'].splitlines()[0][:160]}")
    share = 100.0 * with_prefilter / with_positive if with_positive else 0.0
    print(f"SPL translations: {total}")
    where = "any filter" if a.anywhere else "a leading filter"
    print(f"  with a positive field condition in {where}: {with_positive}")
    print(f"  of those, with a search-clause filter beyond index/sourcetype/time: {with_prefilter} ({share:.1f}%)")
    if a.list:
        print("\n".join(missing))
    return 0


if __name__ == "__main__":
    sys.exit(main())
