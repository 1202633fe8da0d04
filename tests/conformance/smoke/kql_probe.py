"""Probe which KQL constructs duckdb-kql gets right (run with $KQLPORT_ORACLES/kql/bin/python).

Each case has the rows real Kusto returns (worked out from Kusto's documented semantics:
strings are never null, a missing string is ""; `has` is whole-term; `=~`/`in~`/`contains`/
`startswith`/`has` fold case; `!=` and negated string operators are true on a missing value;
`asc` sorts nulls first). Verdicts:

  works                - duckdb-kql's rows equal Kusto's as returned
  works (NULL->"")     - equal once NULL strings are read as "" (what the differential
                         harness does anyway: normalise null strings to "")
  WRONG                - different rows even after that: hand-write expected rows
  KqlUnsupportedError  - refused: hand-write expected rows, or decline the case
  error                - any other exception

Prints a Markdown table (`--markdown`, the default) or JSON (`--json`). Exit status 0 unless
the probe itself breaks: it reports, it does not gate.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import duckdb_kql  # noqa: E402
from kql_oracle import load_events, run  # noqa: E402

EVENTS = [
    {"rid": 1, "Name": "tor.exe", "Port": 80, "S": '{"a":"x"}', "Host": "h1", "TimeGenerated": "2024-01-01T00:10:00Z"},
    {"rid": 2, "Name": "TOR.EXE", "Port": 443, "Host": "h1", "TimeGenerated": "2024-01-01T00:20:00Z"},
    {"rid": 3, "Name": "tortoise.exe", "S": '{"a":2}', "Host": "h2", "TimeGenerated": "2024-01-01T00:50:00Z"},
    {"rid": 4, "Port": 22, "S": "", "Host": "h2", "TimeGenerated": "2024-01-01T01:05:00Z"},
    {"rid": 5, "Name": "meek-client.exe", "Port": 9001, "S": '{"a":"y","b":1}', "Host": "h3", "TimeGenerated": "2024-01-01T01:30:00Z"},
    {"rid": 6, "Name": "", "Port": 443, "S": '{"b":2}', "Host": "h3", "TimeGenerated": "2024-01-01T02:00:00Z"},
]
TYPES = {"rid": "long", "Name": "string", "Port": "long", "S": "string", "Host": "string", "TimeGenerated": "datetime"}
TABLE_DOC = "P: rid 1 tor.exe/80, 2 TOR.EXE/443 (S missing), 3 tortoise.exe (Port missing), 4 (Name missing)/22 S=\"\", 5 meek-client.exe/9001, 6 \"\"/443"

# (label, query, kind, expected); kind: rids (set of rid), rows (multiset), count (row count), any (not checked)
CASES = [
    ("`has` is whole-term", 'P | where Name has "tor"', "rids", {1, 2}),
    ("`contains` is substring (tortoise)", 'P | where Name contains "tor"', "rids", {1, 2, 3}),
    ("`!has`", 'P | where Name !has "tor"', "rids", {3, 4, 5, 6}),
    ("`has_any`", 'P | where Name has_any ("tor", "meek")', "rids", {1, 2, 5}),
    ("`hasprefix`", 'P | where Name hasprefix "cli"', "rids", {5}),
    ("`has_cs`", 'P | where Name has_cs "TOR"', "rids", {2}),
    ("`contains_cs`", 'P | where Name contains_cs "TOR"', "rids", {2}),
    ("`==` is case-sensitive", 'P | where Name == "tor.exe"', "rids", {1}),
    ("`=~` folds case", 'P | where Name =~ "tor.exe"', "rids", {1, 2}),
    ("`!=` on a missing string", 'P | where Name != "tor.exe"', "rids", {2, 3, 4, 5, 6}),
    ("`== \"\"` on a missing string", 'P | where Name == ""', "rids", {4, 6}),
    ("`!contains` on a missing string", 'P | where Name !contains "tor"', "rids", {4, 5, 6}),
    ("`in` is case-sensitive", 'P | where Name in ("tor.exe", "meek-client.exe")', "rids", {1, 5}),
    ("`!in~` on a missing string", 'P | where Name !in~ ("tor.exe")', "rids", {3, 4, 5, 6}),
    ("`in~` and `!=` on a missing number", 'P | where Name in~ ("tor.exe", "meek-client.exe") and Port != 443', "rids", {1, 5}),
    ("`!=` on a missing number", "P | where Port != 443", "rids", {1, 3, 4, 5}),
    ("`==` number", "P | where Port == 443", "rids", {2, 6}),
    ("`isnull` number", "P | where Port > 100 or isnull(Port)", "rids", {2, 3, 5, 6}),
    ("`startswith` folds case", 'P | where Name startswith "TOR"', "rids", {1, 2, 3}),
    ("`startswith_cs`", 'P | where Name startswith_cs "tor"', "rids", {1, 3}),
    ("`endswith` folds case", 'P | where Name endswith ".EXE"', "rids", {1, 2, 3, 5}),
    ("`endswith_cs`", 'P | where Name endswith_cs ".exe"', "rids", {1, 3, 5}),
    ("`matches regex` (case-sensitive)", 'P | where Name matches regex "^tor"', "rids", {1, 3}),
    ("`between`", "P | where Port between (20 .. 80)", "rids", {1, 4}),
    ("`isempty` (missing and \"\")", "P | where isempty(Name)", "rids", {4, 6}),
    ("`isnotempty`", "P | where isnotempty(S)", "rids", {1, 3, 5, 6}),
    ("`datetime` literal compare", "P | where TimeGenerated > datetime(2024-01-01T01:00:00Z)", "rids", {4, 5, 6}),
    ("`tolower` then `==`", 'P | extend l = tolower(Name) | where l == "tor.exe"', "rids", {1, 2}),
    ("`project-rename`", 'P | project-rename N = Name | where N == "tor.exe"', "rids", {1}),
    ("dynamic member compare", 'P | extend d = parse_json(S) | where d.a == "x"', "rids", {1}),
    ("`let` sub-query", 'let T = P | where Host == "h1"; T', "rids", {1, 2}),
    ("`summarize count() by` string", "P | summarize c = count() by Host", "rows", [("h1", 2), ("h2", 2), ("h3", 2)]),
    ("`summarize count() by` missing+\"\" key", "P | summarize c = count() by Name", "rows",
     [("tor.exe", 1), ("TOR.EXE", 1), ("tortoise.exe", 1), ("", 2), ("meek-client.exe", 1)]),
    ("`dcount`", "P | summarize d = dcount(Host)", "rows", [(3,)]),
    ("`make_set`", "P | summarize s = make_set(Host)", "rows", [(["h1", "h2", "h3"],)]),
    ("`countif`", "P | summarize c = countif(Port == 443)", "rows", [(2,)]),
    ("`max` by", "P | summarize m = max(Port) by Host", "rows", [("h1", 443), ("h2", 22), ("h3", 9001)]),
    ("`arg_max`", "P | summarize arg_max(TimeGenerated, rid) by Host | project Host, rid", "rows",
     [("h1", 2), ("h2", 4), ("h3", 6)]),
    ("`bin(TimeGenerated, 1h)`", "P | summarize c = count() by bin(TimeGenerated, 1h)", "rows",
     [("2024-01-01T00:00:00", 3), ("2024-01-01T01:00:00", 2), ("2024-01-01T02:00:00", 1)]),
    ("`extend x = tostring(parse_json(s).a)`", "P | extend x = tostring(parse_json(S).a) | project rid, x", "rows",
     [(1, "x"), (2, ""), (3, "2"), (4, ""), (5, "y"), (6, "")]),
    ("`strlen` of a missing string", "P | project rid, n = strlen(Name)", "rows",
     [(1, 7), (2, 7), (3, 12), (4, 0), (5, 15), (6, 0)]),
    ("`extract`", 'P | where rid == 1 | project e = extract(@"^([a-z]+)\\.", 1, Name)', "rows", [("tor",)]),
    ("`parse` (pattern starting with a column)", 'P | where rid == 1 | parse Name with base "." ext | project base, ext', "rows", [("tor", "exe")]),
    ("`parse` (pattern starting with `*`)", 'P | where rid == 1 | parse Name with * "." ext | project ext', "rows", [("exe",)]),
    ("`mv-expand`", "P | mv-expand x = pack_array(1, 2) | count", "rows", [(12,)]),
    ("`lookup`", 'P | lookup (P | project rid, H2 = Host) on rid | where H2 == "h1"', "rids", {1, 2}),
    ("`take`", "P | take 2", "count", 2),
    ("`top` desc (nulls last)", "P | top 3 by Port desc", "rids", {2, 5, 6}),
    ("`top` asc (nulls first)", "P | top 2 by Port asc", "rids", {3, 4}),
    ("`distinct` missing+\"\"", "P | distinct Name", "rows",
     [("tor.exe",), ("TOR.EXE",), ("tortoise.exe",), ("",), ("meek-client.exe",)]),
    ("`count`", "P | count", "rows", [(6,)]),
    ("`union`", "union P, P | count", "rows", [(12,)]),
    ("`join kind=inner`", 'P | where Host == "h1" | join kind=inner (P | project rid, Port2 = Port) on rid | project rid, Port2',
     "rows", [(1, 80), (2, 443)]),
    ("`make-series`", "P | make-series c = count() on TimeGenerated step 1h", "any", None),
    ("`mv-apply`", "P | extend a = pack_array(1, 2) | mv-apply a on (where a > 1)", "any", None),
    ("`evaluate bag_unpack`", "P | extend d = parse_json(S) | evaluate bag_unpack(d)", "any", None),
]


def _norm(v, null_as_empty: bool):
    if isinstance(v, dt.datetime):
        return v.replace(tzinfo=None).isoformat()
    if isinstance(v, str) and v[:1] in "[{":
        try:
            v = json.loads(v)
        except ValueError:
            return v
    if isinstance(v, list):
        return sorted((_norm(x, null_as_empty) for x in v), key=repr)
    if v is None and null_as_empty:
        return ""
    return v


def _key(row):
    return json.dumps(row, sort_keys=True, default=str)


def verdict(con, query, kind, expected):
    try:
        cols, rows = run(con, query)
    except duckdb_kql.KqlUnsupportedError as e:
        return "KqlUnsupportedError", str(e).splitlines()[0][:90]
    except Exception as e:  # noqa: BLE001
        return "error", f"{type(e).__name__}: {str(e).splitlines()[0][:90]}"
    if kind == "any":
        return "runs (not checked)", f"{len(rows)} rows"
    if kind == "count":
        return ("works", "") if len(rows) == expected else ("WRONG", f"{len(rows)} rows")
    for null_as_empty in (False, True):
        if kind == "rids":
            got = {r[cols.index("rid")] for r in rows}
            ok = got == expected
            shown = sorted(got)
        else:
            got = sorted((_key([_norm(v, null_as_empty) for v in r]) for r in rows))
            want = sorted(_key([_norm(v, False) for v in r]) for r in expected)
            ok = got == want
            shown = [tuple(_norm(v, False) for v in r) for r in rows]
        if ok:
            return ("works (NULL->\"\")" if null_as_empty else "works"), ""
        if kind == "rids":
            break  # row identity does not change with normalisation
    return "WRONG", f"got {shown}"


def main() -> int:
    fmt = "json" if "--json" in sys.argv else "markdown"
    con_null = duckdb_kql.connect()  # missing strings loaded as SQL NULL
    load_events(con_null, "P", EVENTS, TYPES, missing_string=None)
    con = duckdb_kql.connect()  # missing strings loaded as "" (Kusto's view; kql_oracle's default)
    load_events(con, "P", EVENTS, TYPES)
    results = []
    for label, query, kind, expected in CASES:
        v_null, detail_null = verdict(con_null, query, kind, expected)
        v, detail = verdict(con, query, kind, expected)
        if kind == "rids":
            want = str(sorted(expected))
        elif kind == "rows":
            want = str([tuple(r) for r in expected])
        elif kind == "count":
            want = f"{expected} rows"
        else:
            want = "—"
        results.append({"case": label, "query": query, "kusto": want,
                        "verdict_null_loaded": v_null, "detail_null_loaded": detail_null,
                        "verdict": v, "detail": detail})
    if fmt == "json":
        print(json.dumps({"duckdb_kql": duckdb_kql.__version__, "table": TABLE_DOC, "results": results}, indent=1))
        return 0
    print(f"duckdb-kql {duckdb_kql.__version__}; table {TABLE_DOC}\n")
    print("| construct | query | Kusto's answer | missing string loaded as \"\" | loaded as NULL | duckdb-kql's answer, if different |")
    print("|---|---|---|---|---|---|")
    for r in results:
        q = r["query"].replace("|", "\\|")
        detail = r["detail"] or r["detail_null_loaded"]
        if r["detail"] and r["detail_null_loaded"] and r["detail"] != r["detail_null_loaded"]:
            detail = f"\"\"-loaded: {r['detail']}; NULL-loaded: {r['detail_null_loaded']}"
        elif r["detail_null_loaded"] and not r["detail"]:
            detail = f"NULL-loaded: {detail}"
        cells = [r["case"], f"`{q}`", r["kusto"], r["verdict"], r["verdict_null_loaded"], detail]
        print("| " + " | ".join(c.replace("|", "/") if i != 1 else c for i, c in enumerate(cells)) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
