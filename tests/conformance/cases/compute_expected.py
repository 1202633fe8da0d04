#!/usr/bin/env python3
"""Fill in `expected` of every conformance case from duckdb-kql (the KQL ground truth).

Run with the `kql` oracle venv:

    $KQLPORT_ORACLES/kql/bin/python tests/conformance/cases/compute_expected.py [--check] [CASE...]

For each case folder `NNN_name/` (rule.yaml, events.json, case.yaml):

1. checks the rule's query with Microsoft's Kusto.Language (`smoke/kusto_check.js`) against
   the schema declared in case.yaml: 0 errors required; the output columns it reports are
   stored as `expected.columns`;
2. loads events.json into duckdb-kql (`smoke/kql_oracle.load_events`: a missing/null string is
   "" as in Kusto, dynamic as JSON) plus the hidden row id `_id` as a real BIGINT column, and runs
   the query;
3. writes the result into case.yaml:
   * `expected.rows` (list of `_id`) when the case's expected block has `rows`: the query keeps
     whole input rows (where/extend/sort/top/take); the `_id` column identifies them;
   * `expected.table` (list of objects, `_id` dropped) when it has `table`: projections and
     aggregations. Datetimes are ISO-8601 UTC strings ending in `Z`, dynamic values decoded.
     Columns listed in `expected.set_columns` hold sets (make_set): stored sorted, compare as sets.
   * `order_matters` (default false): when false rows are stored sorted and compare as a
     multiset; when true the stored order is the KQL result order.
   A case whose query calls a function the workspace holds (an ASIM parser) gives its definition
   in case.yaml's `oracle_functions` (`function Name(params) { body }`, as duckdb-kql's stored
   functions take it): declared to Kusto.Language as a database function and passed to
   duckdb-kql (which calls a stored function with positional arguments only).
   Cases with `expected.source: hand` are not overwritten: their rows come from the Microsoft
   documentation (see `reason`); the script still runs duckdb-kql on them and reports whether it
   agrees.

--check: compute and compare only (exit 1 on any difference), write nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CONF = HERE.parent  # tests/conformance
REPO = CONF.parent.parent
SMOKE = CONF / "smoke"
sys.path.insert(0, str(SMOKE))


def oracles_root() -> Path:
    env = os.environ.get("KQLPORT_ORACLES")
    if env:
        return Path(env)
    local = REPO / ".oracles"
    if local.is_dir():
        return local
    # a git worktree: the oracles are installed in the main checkout
    try:
        common = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--git-common-dir"],
                                capture_output=True, text=True, check=True).stdout.strip()
        main = (REPO / common).resolve().parent / ".oracles"
        if main.is_dir():
            return main
    except (OSError, subprocess.CalledProcessError):
        pass
    return local


ORACLES = oracles_root()

try:
    import yaml  # noqa: E402
except ImportError:  # the kql venv has no PyYAML; the sigma venv (same CPython 3.11) does
    for sp in sorted((ORACLES / "sigma" / "lib").glob("python3*/site-packages")):
        sys.path.append(str(sp))
    import yaml  # noqa: E402

import duckdb_kql  # noqa: E402
from kql_oracle import load_events  # noqa: E402


# ---------------------------------------------------------------- yaml output
class _Dumper(yaml.SafeDumper):
    pass


def _str_repr(dumper, s):
    if "\n" in s:
        return dumper.represent_scalar("tag:yaml.org,2002:str", s, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", s)


_Dumper.add_representer(str, _str_repr)


def dump_yaml(doc) -> str:
    return yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=None, width=100)


# ---------------------------------------------------------------- loading
# A watchlist the query reads (`_GetWatchlist('name')`) is the case's table `watchlist:<name>`
# (schema and events); Kusto.Language and duckdb-kql know no watchlists, so for them the call
# is replaced by a table of those rows (`Watchlist_<name>`), which is what `_GetWatchlist`
# returns (the watchlist's columns; the bookkeeping columns Sentinel adds are not read).
WATCHLIST_CALL = re.compile(r"""_GetWatchlist\(\s*(['"])(.*?)\1\s*\)""")
WATCHLIST_KEY = "watchlist:"


def watchlist_table(name: str) -> str:
    return "Watchlist_" + re.sub(r"\W", "_", name)


def engine_name(table: str) -> str:
    return watchlist_table(table[len(WATCHLIST_KEY):]) if table.startswith(WATCHLIST_KEY) else table


# `externaldata(cols)[urls] with (props)` reads its URL when the query runs; the engines here
# have no network, and the translation reads a lookup the user loaded from that URL. A case
# using it has exactly one lookup table `watchlist:<name>` (the lookup the user made from the
# URL, under the name kqlport's note gives it), and the engines read that table in its place:
# the rows the URL held when the lookup was loaded.
# externaldata returns exactly its declared columns, in order: the table is projected to them
# (duckdb-kql would otherwise also see the hidden `_id` column, first). Parentheses around the
# call go with it (duckdb-kql runs no parenthesised source; they change nothing at a source).
EXTERNALDATA = re.compile(r"""(\(\s*)?externaldata\s*\(([^()]*)\)\s*\[[^\]]*\](?:\s*with\s*\([^()]*\))?(?(1)\s*\))""")


def engine_query(query: str, events: dict) -> str:
    q = WATCHLIST_CALL.sub(lambda m: watchlist_table(m.group(2)), query)
    if EXTERNALDATA.search(q):
        lookups = [t[len(WATCHLIST_KEY):] for t in events if t.startswith(WATCHLIST_KEY)]
        if len(lookups) != 1:
            raise SystemExit("a case using externaldata needs exactly one `watchlist:<name>` table")
        def table(m: re.Match) -> str:
            columns = [c.split(":")[0].strip() for c in m.group(2).split(",") if c.strip()]
            return f"{watchlist_table(lookups[0])} | project {', '.join(columns)}"
        q = EXTERNALDATA.sub(table, q)
    return q


def load_case(d: Path) -> dict:
    rule = yaml.safe_load((d / "rule.yaml").read_text(encoding="utf-8"))
    case = yaml.safe_load((d / "case.yaml").read_text(encoding="utf-8"))
    events = json.loads((d / "events.json").read_text(encoding="utf-8"))
    return {"dir": d, "name": d.name, "rule": rule, "case": case, "events": events,
            # what the KQL engines see: watchlists and externaldata as tables
            "query": engine_query(rule["query"], events),
            # functions the workspace holds (an ASIM parser's filtering code)
            "functions": case.get("oracle_functions") or [],
            "tables": {engine_name(t): cols for t, cols in (case.get("schema") or {}).items()},
            "data": {engine_name(t): evs for t, evs in events.items()}}


def validate(c: dict) -> list[str]:
    problems = []
    schema = c["case"].get("schema") or {}
    for table, evs in c["events"].items():
        if table not in schema:
            problems.append(f"table {table} not in schema")
            continue
        if not 6 <= len(evs) <= 15:
            problems.append(f"{table}: {len(evs)} events (want 6-15)")
        ids = [e.get("_id") for e in evs]
        if any(not isinstance(i, int) for i in ids) or len(set(ids)) != len(ids):
            problems.append(f"{table}: _id must be unique integers")
        for e in evs:
            extra = set(e) - set(schema[table]) - {"_id"}
            if extra:
                problems.append(f"{table} _id={e.get('_id')}: keys not in schema: {sorted(extra)}")
    exp = c["case"].get("expected") or {}
    if ("rows" in exp) == ("table" in exp):
        problems.append("expected needs exactly one of rows / table")
    if exp.get("source") == "hand" and not exp.get("reason"):
        problems.append("source: hand needs a reason")
    return problems


# ---------------------------------------------------------------- Kusto.Language
def stored_function(text: str) -> dict:
    """`function Name(params) { body }` as its name, parameter list and body."""
    m = re.match(r"\s*function\s+(\w+)\s*\(", text)
    if not m:
        raise SystemExit(f"oracle_functions: not `function Name(params) {{ body }}`: {text[:60]}")
    depth, i = 0, m.end() - 1
    for i in range(m.end() - 1, len(text)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            break
    return {"name": m.group(1), "params": text[m.end() - 1:i + 1], "body": text[i + 1:].strip()}


def kusto_check(cases: list[dict]) -> list[dict]:
    reqs = [{"query": c["query"], "tables": c["tables"],
             "functions": [stored_function(f) for f in c["functions"]]} for c in cases]
    env = dict(os.environ, KQLPORT_ORACLES=str(ORACLES))
    p = subprocess.run(["node", str(SMOKE / "kusto_check.js")], input=json.dumps(reqs),
                       capture_output=True, text=True, env=env)
    if p.returncode not in (0, 1):
        raise SystemExit(f"kusto_check.js failed: {p.stderr}")
    return json.loads(p.stdout)


# ---------------------------------------------------------------- duckdb-kql
def norm_value(v, ktype: str | None):
    if v is None:
        return "" if ktype == "string" else None
    if isinstance(v, dt.datetime):
        if v.tzinfo is not None:
            v = v.astimezone(dt.timezone.utc).replace(tzinfo=None)
        s = v.isoformat(timespec="microseconds" if v.microsecond else "seconds")
        if v.microsecond:
            s = s.rstrip("0")  # 12:30:00.500000 -> 12:30:00.5, as Kusto prints it
        return s + "Z"
    if isinstance(v, dt.timedelta):
        return str(v)
    if ktype == "dynamic" and isinstance(v, str):
        try:
            return json.loads(v)
        except ValueError:
            return v
    if isinstance(v, float) and v.is_integer() and ktype in ("long", "int"):
        return int(v)
    if hasattr(v, "hex") and type(v).__name__ == "UUID":
        return str(v)
    if type(v).__name__ == "Decimal":
        return float(v)
    return v


def sort_key(row):
    return json.dumps(row, sort_keys=True, default=str, ensure_ascii=False)


def run_duckdb(c: dict, kusto_cols: list[dict] | None):
    """Returns ('rows', [ids]) / ('table', [dicts]); raises on KqlUnsupportedError etc."""
    con = duckdb_kql.connect()
    for table, cols in c["tables"].items():
        types = dict(cols)
        types["_id"] = "long"
        load_events(con, table, c["data"].get(table, []), types)
    rel = duckdb_kql.kql(con, c["query"], functions=c["functions"] or None)
    cols = list(rel.columns)
    data = rel.fetchall()
    exp = c["case"]["expected"]
    order = bool(exp.get("order_matters", False))
    if "rows" in exp:
        if "_id" not in cols:
            raise RuntimeError(f"rows expected but result has no _id column: {cols}")
        i = cols.index("_id")
        ids = [r[i] for r in data]
        return "rows", (ids if order else sorted(ids))
    ktypes = {k["name"]: k["type"] for k in (kusto_cols or [])}
    out = []
    for r in data:
        row = {}
        for name, v in zip(cols, r):
            if name == "_id":
                continue
            row[name] = norm_value(v, ktypes.get(name))
        for sc in exp.get("set_columns") or []:
            if isinstance(row.get(sc), list):
                row[sc] = sorted(row[sc], key=sort_key)
        out.append(row)
    if not order:
        out.sort(key=sort_key)
    return "table", out


def same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        try:
            return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
        except (TypeError, ValueError):
            return False
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b


def canon(kind, value, exp):
    if exp.get("order_matters"):
        return value
    return sorted(value) if kind == "rows" else sorted(value, key=sort_key)


# ---------------------------------------------------------------- main
def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", action="store_true", help="compare only, write nothing")
    ap.add_argument("cases", nargs="*", help="case folder names (default: all)")
    args = ap.parse_args()

    dirs = sorted(p for p in HERE.iterdir() if p.is_dir() and p.name[:3].isdigit())
    if args.cases:
        dirs = [d for d in dirs if d.name in args.cases or d.name[:3] in args.cases]
    cases = [load_case(d) for d in dirs]
    checks = kusto_check(cases)
    failures = 0
    stats = {"duckdb-kql": 0, "hand": 0}
    for c, chk in zip(cases, checks):
        name = c["name"]
        probs = validate(c)
        if not chk["ok"]:
            diags = [f"{d['code']} {d['message']}" for d in chk["syntax"] + chk["semantic"]
                     if d["severity"] == "Error"]
            probs.append("Kusto.Language: " + "; ".join(diags))
        if probs:
            failures += 1
            print(f"FAIL {name}: " + " | ".join(probs))
            continue
        exp = c["case"]["expected"]
        kind = "rows" if "rows" in exp else "table"
        kcols = chk.get("columns") or []
        try:
            got_kind, got = run_duckdb(c, kcols)
            err = None
        except duckdb_kql.KqlUnsupportedError as e:  # type: ignore[attr-defined]
            got_kind, got, err = None, None, f"KqlUnsupportedError: {e}"
        except Exception as e:  # noqa: BLE001
            got_kind, got, err = None, None, f"{type(e).__name__}: {e}"
        colnames = [k["name"] for k in kcols]
        if exp.get("source") == "hand":
            stats["hand"] += 1
            if err:
                print(f"hand {name}: duckdb-kql cannot run it ({err.splitlines()[0]})")
            else:
                agree = same(canon(kind, exp[kind], exp), got)
                print(f"hand {name}: duckdb-kql {'AGREES' if agree else 'DISAGREES'}"
                      + ("" if agree else f" (duckdb-kql: {json.dumps(got, default=str)})"))
            if exp.get("columns") != colnames:
                if args.check:
                    print(f"  columns differ: stored {exp.get('columns')} vs {colnames}")
                    failures += 1
                else:
                    exp["columns"] = colnames
                    write_case(c)
            continue
        if err:
            failures += 1
            print(f"FAIL {name}: {err.splitlines()[0]} (hand-write it: source: hand + reason)")
            continue
        stats["duckdb-kql"] += 1
        new_exp = {kind: got, "columns": colnames}
        for k in ("order_matters", "set_columns", "note"):
            if k in exp:
                new_exp[k] = exp[k]
        new_exp["source"] = "duckdb-kql"
        if args.check:
            if not (same(canon(kind, exp.get(kind) or [], exp), got)
                    and exp.get("columns") == colnames):
                failures += 1
                print(f"DIFF {name}: stored {exp.get(kind)} vs duckdb-kql {got}")
            continue
        c["case"]["expected"] = new_exp
        write_case(c)
        print(f"ok   {name}: {json.dumps(got, default=str, ensure_ascii=False)[:160]}")
    print(f"{len(cases)} cases: {stats['duckdb-kql']} duckdb-kql, {stats['hand']} hand, "
          f"{failures} failing")
    return 1 if failures else 0


def write_case(c: dict) -> None:
    (c["dir"] / "case.yaml").write_text(dump_yaml(c["case"]), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
