"""Differential conformance runner: one verdict per (case, target). See README.md.

Run by run.sh with $KQLPORT_ORACLES/sigma/bin/python (it has PyYAML, pySigma, the SQLite
backend and check-jsonschema); the EQL, ES|QL and SPL-parser oracles run as workers in their own
interpreters (eql_worker.py, esql_worker.py, ../smoke/spl_parse.py), one process each; SPL then
runs on the reference evaluator in ../engines/spl (spl_exec.py).

Inputs (from run.sh): --convert  JSON lines of `kqlport convert --to spl,esql,eql,sigma --format json`
                      --sigma-rust JSON lines written by cli/tests/conformance_sigma.rs
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path
import os
import re
import sqlite3
import subprocess
import sys
import tempfile

import yaml

import pipeline_events
import spl_exec

HERE = os.path.dirname(os.path.abspath(__file__))
CONF = os.path.dirname(HERE)
CASES = os.path.join(CONF, "cases")
SMOKE = os.path.join(CONF, "smoke")
TARGETS = ["eql", "sigma", "esql", "spl"]
# Pipelines whose run judges only the cases that list them (case.yaml `pipelines:`): SPL under
# cim compares tables by column name, and a mapped column keeps the target's name in the output,
# so only a case written for the pipeline (its result columns named by the KQL) is comparable.
OPT_IN_PIPELINES = {"cim"}

VERIFIED, PARSED, WRONG, PARSE_ERROR, DECLINED = "verified-equal", "parsed-only", "wrong", "parse-error", "declined"

# ---------------------------------------------------------------------------------------------
# splparser (2014 grammar) gaps: constructs real Splunk accepts that splparser rejects. A
# rejected query is re-parsed with each gap neutralised by a same-shaped stand-in (a function
# name splparser knows); if that parses, the rejection was only the gap → parsed-only.
# Keep this list explicit; add a gap only with evidence that Splunk accepts the construct.
# ---------------------------------------------------------------------------------------------
SPL_GAPS = [
    # (name, pattern applied outside string literals, replacement, why)
    ("in()", re.compile(r"\bin\("), "coalesce(",
     "eval/where function in(field, v1, ...) (Splunk 6.x+) is not in splparser's grammar"),
    ("json_extract()", re.compile(r"\bjson_extract\("), "coalesce(",
     "json_extract() (Splunk 8.1+) is not in splparser's grammar"),
    ("json_extract_exact()", re.compile(r"\bjson_extract_exact\("), "coalesce(",
     "json_extract_exact() (Splunk 8.1+, json_extract for keys containing dots) is not in splparser's grammar"),
    ("json_array_to_mv()", re.compile(r"\bjson_array_to_mv\("), "coalesce(",
     "json_array_to_mv() (Splunk 8.1+, the JSON functions page) is not in splparser's grammar"),
    ("sha256()", re.compile(r"\bsha256\("), "md5(",
     "sha256() (Search Reference › Cryptographic functions: md5, sha1, sha256, sha512) is not in "
     "splparser's grammar, which knows md5() only"),
    ("mvdedup()", re.compile(r"\bmvdedup\("), "coalesce(",
     "mvdedup() (Search Reference › Multivalue eval functions) is not in splparser's grammar"),
    ("mvfind()", re.compile(r"\bmvfind\("), "coalesce(",
     "mvfind(<mv>, <regex>) (Search Reference › Multivalue eval functions) is not in splparser's grammar"),
    ("mvmap()", re.compile(r"\bmvmap\("), "coalesce(",
     "mvmap(<mv>, <expression>) (Splunk 8.0+, Search Reference › Multivalue eval functions) is not in "
     "splparser's grammar"),
    ("true()", re.compile(r"\btrue\(\)"), "1==1",
     "the zero-argument true() (used as case()'s default arm) is not in splparser's grammar"),
    ("false()", re.compile(r"\bfalse\(\)"), "1==0",
     "the zero-argument false() (a condition KQL fixes, e.g. isnull() of a string column) is not in splparser's grammar"),
    ("search [subsearch]", re.compile(r"\bsearch(\s+NOT)?\s*\["), "search kqlport_gap=1 [",
     "splparser takes a subsearch only after a command argument, and not after NOT; Splunk documents "
     "`sourcetype=a NOT [search sourcetype=b | fields f]` (Search Manual, Use subsearch to correlate events) "
     "and a subsearch as any search's argument (About subsearches)"),
    ("dotted field name", re.compile(r"(?<=[A-Za-z0-9_])\.(?=[A-Za-z_])"), "_",
     "a field name holding a dot fails splparser's rename and stats lexers (`rename properties.userAgent AS "
     "UserAgent`); Splunk's JSON extraction names nested leaves `X.a.b` (spath), and rename takes any field "
     "name (Search Reference › rename: `rename <wc-field> AS <wc-field>`)"),
]

# SPL commands that are real but unknown to splparser (it parses them as user-defined
# commands). Any other unknown command word is treated as a parse error.
SPL_UNKNOWN_BUT_REAL: set[str] = set()


# Gaps inside string literals: (name, predicate on the literal, rewrite, why)
SPL_STRING_GAPS = [
    ("escaped-quote-with-space", lambda lit: '\\"' in lit and " " in lit, lambda lit: lit.replace('\\"', "'"),
     'a string literal holding both whitespace and an escaped quote (\\") fails splparser\'s where/eval lexer '
     '(e.g. `where F=="say \\"hi\\".txt"`); Splunk accepts \\" in quoted strings'),
    ("escaped-quote-in-rex", lambda lit: '\\"' in lit, lambda lit: lit.replace('\\"', "'"),
     'an escaped quote (\\") in a rex regular expression fails splparser\'s rex lexer (`rex field=F "a\\"b"`); '
     'the Search Manual (SPL and regular expressions › Backslash characters) names double quotation marks among '
     'the characters a backslash escapes in a regular expression'),
]


MULTISEARCH_WHY = ("multisearch (Search Reference › multisearch) raises NotImplementedError in splparser; "
                   "its legs are parsed instead as `<first leg> | append [<next leg>] …`")


def spl_multisearch_as_append(q: str) -> str | None:
    """`| multisearch [A] [B] … | rest` → `A | append [B] … | rest` (same legs, a command
    splparser knows), or None when q does not start with multisearch."""
    m = re.match(r"\s*\|\s*multisearch\b", q)
    if not m:
        return None
    i, legs = m.end(), []
    while True:
        while i < len(q) and q[i].isspace():
            i += 1
        if i >= len(q) or q[i] != "[":
            break
        depth, j = 0, i
        while j < len(q):
            c = q[j]
            if c == '"':
                j += 1
                while j < len(q) and q[j] != '"':
                    j += 2 if q[j] == "\\" else 1
            elif c == "[":
                depth += 1
            elif c == "]":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        legs.append(q[i + 1:j])
        i = j + 1
    if len(legs) < 2:
        return None
    return legs[0] + "".join(f"\n| append [{leg}]" for leg in legs[1:]) + "\n" + q[i:].lstrip()


SUBSEARCH_OPERAND_WHY = (
    "a subsearch as one operand of a search condition (`[A] OR x=1`, `NOT [A] OR [B]`): splparser takes "
    "a subsearch only as a command's last argument; Splunk substitutes a subsearch's formatted results "
    "(`( ( f=\"v\" ) OR … )`, Search Manual › About subsearches, and the format command) where it stands "
    "in the search, and the search command combines terms with AND, OR, NOT and parentheses (Search "
    "Manual › Boolean expressions). Each such subsearch is parsed instead as `| append [<subsearch>]` at "
    "the end of the query, and stands in the condition as the term `kqlport_sub=N`")


def spl_subsearch_operands(q: str) -> str | None:
    """Each subsearch that is an operand of a `search` condition — after OR/AND/NOT/`(`, or
    followed by OR/AND/`)` — replaced by the term `kqlport_sub=N`, its pipeline appended as
    `| append [<pipeline>]`; None when there is none."""
    out, bodies, i, n = [], [], 0, len(q)
    while i < n:
        c = q[i]
        if c == '"':
            j = i + 1
            while j < n and q[j] != '"':
                j += 2 if q[j] == "\\" else 1
            out.append(q[i:j + 1])
            i = j + 1
            continue
        if c != "[":
            out.append(c)
            i += 1
            continue
        depth, j = 0, i
        while j < n:
            if q[j] == '"':
                j += 1
                while j < n and q[j] != '"':
                    j += 2 if q[j] == "\\" else 1
            elif q[j] == "[":
                depth += 1
            elif q[j] == "]":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        before = "".join(out).rstrip()
        after = q[j + 1:].lstrip()
        operand = (re.search(r"(\bOR|\bAND|\bNOT|\()$", before) is not None
                   or re.match(r"(OR\b|AND\b|\))", after) is not None)
        if operand:
            bodies.append(q[i + 1:j])
            out.append(f"kqlport_sub={len(bodies)}")
        else:
            out.append(q[i:j + 1])
        i = j + 1
    if not bodies:
        return None
    return "".join(out).rstrip() + "".join(f"\n| append [{b}]" for b in bodies)


def spl_neutralise(q: str) -> tuple[str, list[str]]:
    used = []
    as_append = spl_multisearch_as_append(q)
    if as_append is not None:
        q = as_append
        used.append("multisearch")
    operands = spl_subsearch_operands(q)
    if operands is not None:
        q = operands
        used.append("subsearch operand")
    parts = re.split(r'("(?:[^"\\]|\\.)*")', q)
    for i in range(1, len(parts), 2):
        for name, pred, rw, _ in SPL_STRING_GAPS:
            if pred(parts[i]):
                used.append(name)
                parts[i] = rw(parts[i])
    for i in range(0, len(parts), 2):
        for name, pat, rep, _ in SPL_GAPS:
            new = pat.sub(rep, parts[i])
            if new != parts[i]:
                used.append(name)
                parts[i] = new
    return "".join(parts), sorted(set(used))


# ---------------------------------------------------------------------------------------------
# Case data
# ---------------------------------------------------------------------------------------------

def load_case(name: str) -> dict:
    d = os.path.join(CASES, name)
    with open(os.path.join(d, "case.yaml")) as f:
        case = yaml.safe_load(f)
    with open(os.path.join(d, "events.json")) as f:
        case["events"] = json.load(f)
    with open(os.path.join(d, "rule.yaml")) as f:
        case["rule"] = yaml.safe_load(f)
    case["name"] = name
    return case


def order_unkept(outcome: dict | None) -> bool:
    """The translation says it returns the KQL's rows in another order (effect `order`)."""
    return bool(outcome) and outcome.get("status") == "approximate" and any(
        n.get("effect") == "order" for n in outcome.get("notes", []))


def order_note(expected: dict, outcome: dict) -> str:
    return "; same rows in another order, as labelled (`order`)" if expected.get("order_matters") and order_unkept(outcome) else ""


def compare_rows(expected: dict, got: list, outcome: dict | None = None) -> tuple[bool, str]:
    """Rows as a multiset, or as a sequence when the case's order matters — unless the
    translation is labelled "same rows, order not kept", which is then checked as a multiset."""
    want = expected["rows"]
    ordered = expected.get("order_matters") and not order_unkept(outcome)
    ok = list(got) == list(want) if ordered else sorted(got) == sorted(want)
    return ok, f"expected {want if ordered else sorted(want)}, got {got if ordered else sorted(got)}{order_note(expected, outcome or {})}"


def labelled_difference(outcome: dict, want: list, got: list) -> str | None:
    """If an approximate translation's rows differ only in the labelled direction, say how."""
    effects = {n.get("effect") for n in outcome.get("notes", [])}
    w, g = set(want), set(got)
    if "over-match" in effects and g >= w:
        return "over-match"
    if "under-match" in effects and g <= w:
        return "under-match"
    return None


# ---------------------------------------------------------------------------------------------
# EQL: case-sensitivity caveat and time windows
# ---------------------------------------------------------------------------------------------

EQL_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[A-Za-z_][A-Za-z0-9_.~]*|==|!=|<=|>=|[():,<>]|\S')


def eql_unquote(tok: str) -> str:
    return json.loads(re.sub(r"\\u\{([0-9A-Fa-f]+)\}", lambda m: "\\u%04x" % int(m.group(1), 16), tok))


def wildcard_re(pat: str) -> str:
    return "".join(".*" if c == "*" else re.escape(c) for c in pat)


def field_values(events: dict, field: str) -> list[str]:
    vals = []
    for evs in events.values():
        for e in evs:
            v: object = e
            for part in field.split("."):
                if isinstance(v, dict) and part in v:
                    v = v[part]
                elif isinstance(v, dict) and field in e:
                    v = e[field]
                    break
                else:
                    v = None
                    break
            if isinstance(v, str):
                vals.append(v)
    return vals


def eql_case_sensitive_atoms(query: str) -> list[tuple[str, str, list[str]]]:
    """(field, operator, [string literals]) for each case-sensitive EQL comparison."""
    toks = EQL_TOKEN.findall(query)
    atoms = []
    i = 0
    while i < len(toks):
        t = toks[i]
        if t in ("==", "!=", "like", "regex") and i > 0 and i + 1 < len(toks):
            field = toks[i - 1]
            lits = []
            j = i + 1
            if toks[j] == "(":
                j += 1
                while j < len(toks) and toks[j] != ")":
                    if toks[j].startswith('"'):
                        lits.append(eql_unquote(toks[j]))
                    j += 1
            elif toks[j].startswith('"'):
                lits.append(eql_unquote(toks[j]))
            if lits:
                atoms.append((field, t, lits))
        elif t == "in" and i > 0 and toks[i - 1] != "not" or (t == "in" and i > 1 and toks[i - 1] == "not"):
            field = toks[i - 1] if toks[i - 1] != "not" else toks[i - 2]
            lits = []
            j = i + 2
            while j < len(toks) and toks[j] != ")":
                if toks[j].startswith('"'):
                    lits.append(eql_unquote(toks[j]))
                j += 1
            if lits:
                atoms.append((field, "in", lits))
        elif t in ("startsWith", "endsWith", "stringContains") and i + 2 < len(toks) and toks[i + 1] == "(":
            field = toks[i + 2]
            lits = [eql_unquote(x) for x in toks[i + 3:i + 6] if x.startswith('"')][:1]
            if lits:
                atoms.append((field, t, lits))
        i += 1
    return atoms


def eql_atom_matches(op: str, lit: str, v: str, fold: bool) -> bool:
    a, b = (v.lower(), lit.lower()) if fold else (v, lit)
    if op in ("==", "!=", "in"):
        return a == b
    if op == "startsWith":
        return a.startswith(b)
    if op == "endsWith":
        return a.endswith(b)
    if op == "stringContains":
        return b in a
    if op == "like":
        return re.fullmatch(wildcard_re(lit), v, re.I if fold else 0) is not None
    if op == "regex":
        return re.fullmatch(lit, v, re.I if fold else 0) is not None
    return False


def eql_case_caveat(query: str, events: dict) -> str | None:
    """Why eql's case-folding engine cannot decide this query on these events, or None."""
    for field, op, lits in eql_case_sensitive_atoms(query):
        for lit in lits:
            for v in field_values(events, field):
                try:
                    if eql_atom_matches(op, lit, v, False) != eql_atom_matches(op, lit, v, True):
                        return (f"case-sensitive `{field} {op} {json.dumps(lit)}` and the events hold "
                                f"{json.dumps(v)} (a case variant); eql's engine folds case for every operator")
                except re.error as e:
                    return f"cannot check case variants of regex {json.dumps(lit)} ({e})"
    return None


AGO = re.compile(r"\bTimeGenerated\s*(>=|>)\s*ago\(\s*(\d+)\s*([dhms])\s*\)")


def time_window_inside(case: dict) -> tuple[bool, str]:
    """For a query whose time-window conjunct the backend left out: are all events inside it?"""
    q = case["rule"]["query"]
    m = AGO.search(q)
    if not m:
        return False, "the time window is not of the form `TimeGenerated > ago(N)`; cannot check the events against it"
    n, unit = int(m.group(2)), m.group(3)
    delta = {"d": dt.timedelta(days=n), "h": dt.timedelta(hours=n), "m": dt.timedelta(minutes=n), "s": dt.timedelta(seconds=n)}[unit]
    start = dt.datetime.now(dt.timezone.utc) - delta
    for evs in case["events"].values():
        for e in evs:
            ts = e.get("TimeGenerated")
            if not ts or dt.datetime.fromisoformat(ts.replace("Z", "+00:00")) <= start:
                return False, f"event {e['_id']} is outside the window `{m.group(0)}` that EQL leaves out"
    return True, f"all events are inside `{m.group(0)}` (left out of the EQL query), so it is compared without it"


# ---------------------------------------------------------------------------------------------
# Sigma: schemas, sigma check, SQLite
# ---------------------------------------------------------------------------------------------

def schema_dir() -> str:
    cands = [os.environ.get("KQLPORT_SIGMA_SCHEMAS") or "", os.path.join(CONF, "..", "..", "..", "shared", "sigma-schema"),
             "/work/shared/sigma-schema"]
    for d in cands:
        if d and os.path.isfile(os.path.join(d, "sigma-detection-rule-schema.json")):
            return os.path.abspath(d)
    raise SystemExit("runner: Sigma JSON schemas not found (set KQLPORT_SIGMA_SCHEMAS)")


def sh(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=600)


def split_docs(text: str) -> list[dict]:
    return [d for d in yaml.safe_load_all(text) if d is not None]


def sigma_validate(items: list[tuple[str, str]], tmp: str) -> dict[str, str | None]:
    """items: (case, sigma text). Returns case -> None (valid) or the failure message."""
    bindir = os.path.dirname(sys.executable)
    sdir = schema_dir()
    result: dict[str, str | None] = {}
    det_files, cor_files, case_dirs = {}, {}, {}
    for case, text in items:
        d = os.path.join(tmp, "sigma", case)
        os.makedirs(d, exist_ok=True)
        case_dirs[case] = d
        try:
            docs = split_docs(text)
        except yaml.YAMLError as e:
            result[case] = f"YAML does not parse: {e}"
            continue
        for k, doc in enumerate(docs):
            kind = "correlation" if "correlation" in doc else "detection"
            # a SigmaHQ-like file name (sigma check's filename validators)
            p = os.path.join(d, f"azure_kqlport_conformance_{case[:3]}_{kind}_{k}.yml")
            with open(p, "w") as f:
                yaml.safe_dump(doc, f, sort_keys=False, allow_unicode=True)
            (cor_files if kind == "correlation" else det_files).setdefault(case, []).append(p)
    # check-jsonschema, batched, JSON output: failures attributed per file
    for schema, files in (("sigma-detection-rule-schema.json", det_files), ("sigma-correlation-rules-schema.json", cor_files)):
        allf = [p for ps in files.values() for p in ps]
        if not allf:
            continue
        r = sh(os.path.join(bindir, "check-jsonschema"), "--output-format", "json", "--schemafile",
               os.path.join(sdir, schema), *allf)
        try:
            rep = json.loads(r.stdout)
        except ValueError:
            raise SystemExit(f"runner: check-jsonschema gave no JSON: {r.stdout[-500:]} {r.stderr[-500:]}")
        bad: dict[str, list[str]] = {}
        for err in rep.get("errors", []) + rep.get("parse_errors", []):
            fn = err.get("filename", "")
            bad.setdefault(fn, []).append(f"{err.get('path', '')}: {err.get('message', err)}")
        for case, ps in files.items():
            msgs = [m for p in ps for m in bad.get(p, [])]
            if msgs and result.get(case) is None:
                result[case] = f"check-jsonschema ({schema}): " + "; ".join(msgs)[:800]
    # sigma check: one run over everything; per case only if that fails
    excl = []
    known = sh(os.path.join(bindir, "sigma"), "list", "validators").stdout
    network = ["sigmahq_category_event_id", "sigmahq_category_windows_provider_name", "sigmahq_fieldname_cast",
               "sigmahq_invalid_fieldname", "sigmahq_redundant_field", "sigmahq_filename_prefix",
               "sigmahq_logsource_unknown", "attacktag", "d3_fendtag"]
    names = {ln.split("|")[1].strip() for ln in known.splitlines() if ln.startswith("| ") and "|" in ln[2:]}
    for v in network:
        if v in names:
            excl += ["-x", v]
    pending = [c for c in case_dirs if result.get(c) is None]
    if pending:
        # As backends/sigma/tests/oracle/validate.sh: errors and condition errors fail; the
        # validators' low-severity *issues* (e.g. NumberAsStringIssue) are reported, not failed.
        r = sh(os.path.join(bindir, "sigma"), "check", "--fail-on-error", *excl, os.path.join(tmp, "sigma"))
        for m in re.finditer(r"issue=(\w+) severity=(\w+) .*?rule=(\S+)", r.stdout):
            case = os.path.basename(os.path.dirname(m.group(3)))
            ISSUES.setdefault(case, set()).add(f"{m.group(1)} ({m.group(2)})")
        if r.returncode != 0:
            for c in pending:
                rc = sh(os.path.join(bindir, "sigma"), "check", "--fail-on-error", *excl, case_dirs[c])
                if rc.returncode != 0:
                    result[c] = "sigma check: " + (rc.stdout + rc.stderr).strip()[-800:]
    for c in case_dirs:
        result.setdefault(c, None)
    return result


ISSUES: dict[str, set] = {}


def sigma_rust_number_caveat(text: str, events: dict) -> str | None:
    """sigma-rust 0.7 never equates or orders an integer with a float (its BaseValue tests assert
    Int(3) != Float(3.0) and !(Int(20) < Float(30.0))): a rule comparing an integer literal with
    a field that holds floats in the events cannot be judged by it."""
    doc = split_docs(text)[0]
    for sel in (doc.get("detection") or {}).values():
        maps = [sel] if isinstance(sel, dict) else [m for m in sel if isinstance(m, dict)] if isinstance(sel, list) else []
        for m in maps:
            for key, val in m.items():
                field = key.split("|")[0]
                vals = val if isinstance(val, list) else [val]
                if any(isinstance(v, int) and not isinstance(v, bool) for v in vals):
                    for evs in events.values():
                        for e in evs:
                            if isinstance(e.get(field), float):
                                return (f"sigma-rust not used: `{key}` has an integer value and the events hold floats in "
                                        f"{field}; sigma-rust 0.7 never compares Int with Float")
    return None


def flatten(e: dict, prefix: str = "") -> dict:
    out = {}
    for k, v in e.items():
        key = prefix + k
        if isinstance(v, dict):
            out.update(flatten(v, key + "."))
        else:
            out[key] = v
    return out


def sqlite_run(text: str, events: dict) -> tuple[list | None, str, str | None]:
    """Convert the detection rule with pySigma's SQLite backend and run it. (ids, sql, error)."""
    from sigma.backends.sqlite import sqliteBackend
    from sigma.collection import SigmaCollection

    docs = split_docs(text)
    table = docs[0].get("logsource", {}).get("service", "logs")
    try:
        sqls = sqliteBackend(table=table, collate_nocase=True).convert(SigmaCollection.from_yaml(yaml.safe_dump(docs[0])))
    except Exception as e:  # noqa: BLE001 - the backend refusing is reported
        return None, "", f"pySigma sqlite backend: {type(e).__name__}: {e}"
    sql = sqls[0]
    con = sqlite3.connect(":memory:")
    con.create_function("regexp", 2, lambda p, s: s is not None and re.search(p, str(s)) is not None, deterministic=True)
    rows = [flatten(e) for e in events.get(table, [])]
    cols: list[str] = []
    for r in rows:
        for k in r:
            if k not in cols and k != "_id":
                cols.append(k)
    ddl = ", ".join(['"_id" INTEGER PRIMARY KEY'] + [f'"{c}" TEXT COLLATE NOCASE' if any(isinstance(r.get(c), str) for r in rows)
                                                        else f'"{c}" NUMERIC' for c in cols])
    con.execute(f'CREATE TABLE "{table}" ({ddl})')

    def cell(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, list):
            return json.dumps(v)
        return v

    con.executemany(f'INSERT INTO "{table}" VALUES ({", ".join("?" for _ in range(len(cols) + 1))})',
                    [[r["_id"]] + [cell(r.get(c)) for c in cols] for r in rows])
    try:
        cur = con.execute(sql)
    except sqlite3.Error as e:
        return None, sql, f"SQLite: {e}"
    names = [d[0] for d in cur.description]
    return [row[names.index("_id")] for row in cur.fetchall()], sql, None



# ---------------------------------------------------------------------------------------------
# ES|QL: the reference evaluator's result against `expected` (../engines/esql, via esql_worker.py)
# ---------------------------------------------------------------------------------------------

ESQL_ENGINE = "ES|QL reference evaluator (engines/esql)"
SENTINEL_SCHEMA = os.path.join(CONF, "..", "..", "src", "schema", "tables.tsv")


def sentinel_types() -> dict:
    """table -> column -> Kusto type, from the schema kqlport translates against (src/schema)."""
    out: dict = {}
    with open(SENTINEL_SCHEMA) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            parts = line.rstrip("\n").split("\t")
            cols = out.setdefault(parts[0], {})
            for p in parts[1:]:
                ty, _, names = p.partition("=")
                for c in names.split(","):
                    if c:
                        cols[c] = ty
    return out


def esql_schema_conflict(case: dict, error: str) -> str | None:
    """A rejection on an unknown dotted field whose base column the case types differently from the
    Sentinel schema kqlport translates against: the case's data, not the translation, decides."""
    m = re.search(r"Unknown (?:field|column) \[?'?([A-Za-z_@][A-Za-z0-9_@]*)\.", error)
    if not m:
        return None
    col = m.group(1)
    known = sentinel_types()
    for table, cols in case["schema"].items():
        mine, theirs = cols.get(col), known.get(table, {}).get(col)
        if mine and theirs and mine != theirs:
            return (f"the case declares {table}.{col} `{mine}` but the Sentinel schema kqlport translates "
                    f"against (src/schema) has it `{theirs}`, which the translation follows; loaded as the case "
                    f"declares it, the cluster rejects the query ({error.splitlines()[0][:160]}); not comparable")
    return None


def _instant(v):
    if isinstance(v, str):
        try:
            return dt.datetime.fromisoformat(v.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return v
    return v


def _norm_cell(v, es_type: str, is_set: bool):
    """One cell in a comparable form. KQL shows a missing string as "", ES|QL as null. ES|QL has
    no one-element or empty multivalue ("ES|QL multivalued fields"; "An empty multivalued field
    can appear as NULL", esql-null-values): in a set column its single value is a set of one and
    null the empty set."""
    if is_set and not isinstance(v, list):
        v = [] if v is None else [v]
    if isinstance(v, list):
        vals = [_norm_cell(x, es_type, False) for x in v]
        return ("set", tuple(sorted(map(repr, vals)))) if is_set else ("list", tuple(map(repr, vals)))
    if v is None and es_type in ("keyword", "text"):
        return ("scalar", repr(""))
    if es_type == "date":
        return ("scalar", repr(_instant(v)))
    if isinstance(v, bool) or v is None:
        return ("scalar", repr(v))
    if isinstance(v, (int, float)):
        return ("scalar", repr(round(float(v), 9)))
    return ("scalar", repr(v))


def compare_table(expected: dict, ex: dict) -> tuple[bool, str, list, list]:
    """(equal, detail, want rows, got rows) for an expected table against the evaluator's table."""
    from collections import Counter
    want_cols = expected.get("columns") or (list(expected["table"][0]) if expected["table"] else [])
    got_cols = list(ex["columns"])
    if sorted(want_cols) != sorted(got_cols):
        return False, f"columns differ: expected {want_cols}, got {got_cols}", [], []
    sets = set(expected.get("set_columns") or [])
    types = ex["columns"]

    def norm(row):
        return tuple((c, _norm_cell(row.get(c), types[c], c in sets)) for c in sorted(want_cols))
    want = [norm(r) for r in expected["table"]]
    got = [norm(r) for r in ex["table"]]
    ok = want == got if expected.get("order_matters") else sorted(want) == sorted(got)
    nulls = sum(1 for r in ex["table"] for c in want_cols
                if r.get(c) is None and types[c] in ("keyword", "text") and c not in sets)
    singles = sum(1 for r in ex["table"] for c in sets if not isinstance(r.get(c), list))
    raw_w = {norm(r): r for r in expected["table"]}
    raw_g = {norm(r): r for r in ex["table"]}
    missing = list((Counter(want) - Counter(got)).elements())
    extra = list((Counter(got) - Counter(want)).elements())
    detail = f"expected {len(want)} rows, got {len(got)}"
    if missing or extra:
        detail += f"; missing {[raw_w[m] for m in missing][:5]}, unexpected {[raw_g[x] for x in extra][:5]}"
    elif not ok:
        detail += "; same rows in another order"
    if nulls:
        detail += f" (ES|QL null read as KQL's \"\" in {nulls} string cell{'s' if nulls > 1 else ''})"
    if singles:
        detail += f" ({singles} set cell{'s' if singles > 1 else ''} single-valued or null in ES|QL, read as a set of one or none)"
    return ok, detail, want, got


def _multiset_ge(a: list, b: list) -> bool:
    from collections import Counter
    ca, cb = Counter(a), Counter(b)
    return all(ca[k] >= v for k, v in cb.items())


def esql_verdict(case: dict, o: dict, r: dict) -> tuple[str, str, dict]:
    exp = case["expected"]
    q = o["output"]
    ex = r.get("exec") or {}
    if not r["ok"]:
        conflict = esql_schema_conflict(case, r["error"])
        if conflict:
            return PARSED, conflict, {}
        first = " ".join(r["error"].split("\n")[:2])
        return PARSE_ERROR, first[:300], {"output": q, "error": r["error"]}
    if "crash" in ex:
        return PARSED, f"grammar accepts it; the evaluator crashed (an evaluator bug): {ex['crash']}", {}
    if "unsupported" in ex:
        return PARSED, f"ES|QL grammar + esql.Schema accept it; not executed: the evaluator does not model {ex['unsupported']}", {}
    if "query_error" in ex:
        conflict = esql_schema_conflict(case, ex["query_error"])
        if conflict:
            return PARSED, conflict, {}
        return PARSE_ERROR, f"{ESQL_ENGINE} rejects it as a cluster would: {ex['query_error']}", {
            "output": q, "error": ex["query_error"]}
    warn = f" [warnings: {'; '.join(ex['warnings'])[:300]}]" if ex.get("warnings") else ""
    ordered = bool(exp.get("order_matters"))
    if ex.get("order_dependent") or (ordered and ex.get("sequence_order_dependent")):
        why = "; ".join(ex.get("notes") or []) or "the result changes with the order of the input rows"
        return PARSED, f"executed, but the result depends on an order ES|QL leaves undefined ({why})", {}
    approx = o["status"] == "approximate"
    effects = {nn.get("effect") for nn in o.get("notes", [])}
    if "rows" in exp:
        if ex["ids"] and all(x is None for x in ex["ids"]):
            return PARSED, "expected whole input rows, but the ES|QL result rows are computed (no source row identity)", {}
        ids = ex["ids"]
        ok, cmp = compare_rows(exp, ids, o)
        if ok:
            return VERIFIED, f"{ESQL_ENGINE}: {sorted(ids) if not ordered else ids}{warn}", {}
        lab = approx and labelled_difference(o, exp["rows"], ids)
        if lab:
            return PARSED, f"executed: rows differ only as labelled ({lab}): {cmp}", {}
        return WRONG, cmp + warn, {"output": q, "expected": exp["rows"], "got": ids, "engine": ESQL_ENGINE}
    ok, cmp, want, got = compare_table(exp, ex)
    if ok:
        return VERIFIED, f"{ESQL_ENGINE}: the expected table, {cmp}{warn}", {}
    if approx:
        if "values" in effects:
            return PARSED, f"executed: the table differs and the translation is labelled values-may-differ: {cmp}", {}
        if "over-match" in effects and want and _multiset_ge(got, want):
            return PARSED, f"executed: rows differ only as labelled (over-match): {cmp}", {}
        if "under-match" in effects and _multiset_ge(want, got):
            return PARSED, f"executed: rows differ only as labelled (under-match): {cmp}", {}
    return WRONG, cmp + warn, {"output": q, "expected": exp["table"], "got": ex["table"], "engine": ESQL_ENGINE}

# ---------------------------------------------------------------------------------------------

def run_worker(python: str, script: str, tasks: list) -> list:
    r = subprocess.run([python, script], input=json.dumps(tasks), capture_output=True, text=True, timeout=900,
                       cwd=HERE if not script.endswith("esql_worker.py") else "/")
    if r.returncode not in (0, 1) or not r.stdout.strip():
        raise SystemExit(f"runner: worker {script} failed ({r.returncode}): {r.stderr[-2000:]}")
    return json.loads(r.stdout)


def notes_text(o: dict) -> str:
    return "; ".join(f"{n.get('code')} {n.get('line')}:{n.get('column')} {n.get('message')}" for n in o.get("notes", []))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--convert", required=True)
    ap.add_argument("--sigma-rust", required=True)
    ap.add_argument("--oracles", required=True)
    ap.add_argument("--json-out")
    ap.add_argument("--pipeline", default="none",
                    help="the field-mapping pipeline the translations were made with: the events are renamed "
                         "by the same pipeline (pipeline_events.py) and only its own target is judged "
                         "(EQL for ecs, Sigma for sigma, SPL for cim)")
    args = ap.parse_args()
    global TARGETS
    mapping = None
    if args.pipeline != "none":
        mapping = pipeline_events.load(args.pipeline)
        # The target each pipeline is made for: ECS for EQL, Sigma's taxonomy for Sigma.
        # SPL for cim, run on the SPL reference evaluator over the renamed events.
        TARGETS = {"ecs": ["eql"], "sigma": ["sigma"], "cim": ["spl"]}.get(args.pipeline, ["eql", "sigma"])

    outcomes: dict[tuple[str, str], dict] = {}
    with open(args.convert) as f:
        for line in f:
            o = json.loads(line)
            case = o["file"].replace("\\", "/").rstrip("/").split("/")[-2]
            outcomes[(case, o["target"])] = o
    srust: dict[str, dict] = {}
    with open(args.sigma_rust) as f:
        for line in f:
            r = json.loads(line)
            srust[r["case"]] = r
    names = sorted(d for d in os.listdir(CASES) if os.path.isfile(os.path.join(CASES, d, "case.yaml")))
    cases = {n: load_case(n) for n in names}
    if args.pipeline in OPT_IN_PIPELINES:
        names = [n for n in names if args.pipeline in (cases[n].get("pipelines") or [])]
    # The events each target's engine reads: renamed by the pipeline when one is given.
    target_events = {n: {t: (pipeline_events.events_for(mapping, c["events"], t) if mapping else c["events"])
                         for t in ("eql", "sigma", "spl")} for n, c in cases.items()}

    verdicts: dict[tuple[str, str], tuple[str, str, dict]] = {}  # (case, target) -> (verdict, detail, evidence)

    def setv(case, target, verdict, detail, **ev):
        verdicts[(case, target)] = (verdict, detail, ev)

    # declined / error / missing first
    todo: dict[str, list[str]] = {t: [] for t in TARGETS}
    for n in names:
        for t in TARGETS:
            o = outcomes.get((n, t))
            if o is None:
                setv(n, t, DECLINED, "", missing="kqlport produced no outcome for this case and target")
            elif o["status"] == "declined":
                setv(n, t, DECLINED, notes_text(o))
            elif o["status"] == "error":
                setv(n, t, DECLINED, "", kqlport_error=notes_text(o))
            else:
                todo[t].append(n)

    O = args.oracles
    if "eql" in TARGETS:
        # ---- EQL -------------------------------------------------------------------------------
        eql_res = {r["case"]: r for r in run_worker(os.path.join(O, "kql", "bin", "python"), os.path.join(HERE, "eql_worker.py"),
                                                    [{"case": n, "query": outcomes[(n, "eql")]["output"], "events": target_events[n]["eql"]}
                                                     for n in todo["eql"]])}
        for n in todo["eql"]:
            o, r, exp = outcomes[(n, "eql")], eql_res[n], cases[n]["expected"]
            q = o["output"]
            if not r["ok"]:
                setv(n, "eql", PARSE_ERROR, r["error"].splitlines()[0][:300], output=q, error=r["error"])
                continue
            if "rows" not in exp:
                setv(n, "eql", PARSED, "expected is a table (projection/aggregation): EQL returns whole events, rows not comparable")
                continue
            if r.get("engine_error"):
                setv(n, "eql", PARSED, f"eql engine failed: {r['engine_error']}")
                continue
            ok, cmp = compare_rows(exp, r["ids"], o)
            reasons = []
            if any("time window" in (x.get("message") or "") for x in o.get("notes", [])):
                inside, why = time_window_inside(cases[n])
                if not inside:
                    setv(n, "eql", PARSED, why)
                    continue
                reasons.append(why)
            caveat = eql_case_caveat(q, target_events[n]["eql"])
            if caveat:
                setv(n, "eql", PARSED, f"{caveat} ({'would agree' if ok else 'engine rows differ'}: {cmp})")
                continue
            if ok:
                setv(n, "eql", VERIFIED, f"eql PythonEngine: {r['ids'] and sorted(r['ids'])}" + (f"; {reasons[0]}" if reasons else "")
                     + order_note(exp, o))
            else:
                lab = o["status"] == "approximate" and labelled_difference(o, exp["rows"], r["ids"])
                if lab:
                    setv(n, "eql", PARSED, f"executed: rows differ only as labelled ({lab}): {cmp}")
                else:
                    setv(n, "eql", WRONG, cmp, output=q, expected=exp["rows"], got=r["ids"], engine="eql PythonEngine")

    if "sigma" in TARGETS:
        # ---- Sigma -----------------------------------------------------------------------------
        with tempfile.TemporaryDirectory() as tmp:
            valid = sigma_validate([(n, outcomes[(n, "sigma")]["output"]) for n in todo["sigma"]], tmp)
        for n in todo["sigma"]:
            o, exp = outcomes[(n, "sigma")], cases[n]["expected"]
            text = o["output"]
            if valid[n]:
                setv(n, "sigma", PARSE_ERROR, valid[n][:300], output=text, error=valid[n])
                continue
            rr = srust.get(n, {})
            extra = ""
            if rr.get("text") is not None and rr["text"] != text:
                extra = " (note: the library translation differs from the CLI's)"
            if rr.get("correlation") or any("correlation" in d for d in split_docs(text)):
                setv(n, "sigma", PARSED, "correlation rule (summarize threshold): validated; not executed (sigma-rust has no "
                     "correlation engine; pySigma's SQLite correlation SQL is not compared with KQL's look-back counting)" + extra)
                continue
            if "rows" not in exp:
                setv(n, "sigma", PARSED, "expected is a table (projection/aggregation): Sigma matches whole events, rows not comparable" + extra)
                continue
            if any("time window" in (x.get("message") or "") for x in o.get("notes", [])):
                inside, why = time_window_inside(cases[n])
                if not inside:
                    setv(n, "sigma", PARSED, why.replace("EQL", "Sigma"))
                    continue
                extra += "; " + why.replace("EQL", "Sigma")
            sq_ids, sql, sq_err = sqlite_run(text, target_events[n]["sigma"])
            engines, wrongs = [], []
            num_caveat = sigma_rust_number_caveat(text, target_events[n]["sigma"])
            if num_caveat and rr.get("ids") is not None:
                rr = dict(rr, ids=None, engine_error=num_caveat)
            if rr.get("ids") is not None:
                ok, cmp = compare_rows(exp, rr["ids"], o)
                (engines if ok else wrongs).append(("sigma-rust", rr["ids"], cmp))
            if sq_ids is not None:
                ok, cmp = compare_rows(exp, sq_ids, o)
                (engines if ok else wrongs).append(("pySigma sqlite", sq_ids, cmp))
            unrun = []
            if rr.get("ids") is None:
                unrun.append(f"sigma-rust: {rr.get('engine_error') or rr.get('error') or 'no result'}")
            if sq_ids is None:
                unrun.append(sq_err)
            if wrongs:
                lab = o["status"] == "approximate" and all(labelled_difference(o, exp["rows"], w[1]) for w in wrongs)
                detail = "; ".join(f"{e}: {c}" for e, _, c in wrongs) + (f"; agree: {', '.join(e for e, _, _ in engines)}" if engines else "")
                if lab:
                    setv(n, "sigma", PARSED, f"executed: rows differ only as labelled: {detail}")
                else:
                    setv(n, "sigma", WRONG, detail, output=text, sql=sql, expected=exp["rows"],
                         got={e: ids for e, ids, _ in wrongs}, agree=[e for e, _, _ in engines])
            elif engines:
                setv(n, "sigma", VERIFIED, f"{' + '.join(e for e, _, _ in engines)}: {sorted(engines[0][1])}"
                     + (f" (not run: {'; '.join(unrun)})" if unrun else "") + extra + order_note(exp, o))

            else:
                setv(n, "sigma", PARSED, "validated, but no engine could run it: " + "; ".join(unrun))

        for n in todo["sigma"]:
            if n in ISSUES:
                v, d, ev = verdicts[(n, "sigma")]
                verdicts[(n, "sigma")] = (v, d + f" [sigma check issues, not failed: {', '.join(sorted(ISSUES[n]))}]", ev)

    if "esql" in TARGETS:
        # ---- ES|QL -----------------------------------------------------------------------------
        es_res = {r["case"]: r for r in run_worker(os.path.join(O, "esql", "bin", "python"), os.path.join(HERE, "esql_worker.py"),
                                                   [{"case": n, "query": outcomes[(n, "esql")]["output"], "schema": cases[n]["schema"],
                                                     "events": cases[n]["events"]}
                                                    for n in todo["esql"]])}
        for n in todo["esql"]:
            o, r, exp = outcomes[(n, "esql")], es_res[n], cases[n]["expected"]
            v, detail, ev = esql_verdict(cases[n], o, r)
            setv(n, "esql", v, detail, **ev)

    if "spl" in TARGETS:
        # ---- SPL -------------------------------------------------------------------------------
        SPL_NOW = dt.datetime.now(dt.timezone.utc).timestamp()
        spl_py = os.path.join(O, "spl", "bin", "python")
        if not os.path.exists(spl_py):
            for n in todo["spl"]:
                setv(n, "spl", PARSED, "splparser not installed (spl oracle group skipped): NOT parsed")
        else:
            qs = [outcomes[(n, "spl")]["output"] for n in todo["spl"]]
            first = run_worker(spl_py, os.path.join(SMOKE, "spl_parse.py"), qs)
            retry = {}
            for n, q, r in zip(todo["spl"], qs, first):
                if not r["ok"]:
                    nq, used = spl_neutralise(q)
                    if used:
                        retry[n] = (nq, used)
            second = dict(zip(retry, run_worker(spl_py, os.path.join(SMOKE, "spl_parse.py"), [v[0] for v in retry.values()]))) if retry else {}
            for n, q, r in zip(todo["spl"], qs, first):
                if r["ok"]:
                    unknown = [c[1:] for c in r.get("commands", []) if c and c.startswith("?") and c[1:] not in SPL_UNKNOWN_BUT_REAL]
                    if unknown:
                        setv(n, "spl", PARSE_ERROR, f"splparser: unknown command(s) {unknown}", output=q, error=f"unknown commands {unknown}")
                        continue
                    parsed = "splparser accepts it"
                elif n in second and second[n]["ok"]:
                    used = retry[n][1]
                    why = "; ".join([g[3] for g in SPL_GAPS + SPL_STRING_GAPS if g[0] in used]
                                + ([MULTISEARCH_WHY] if "multisearch" in used else [])
                                + ([SUBSEARCH_OPERAND_WHY] if "subsearch operand" in used else []))
                    parsed = f"splparser rejects it only for documented grammar gap(s) {used}: {why}"
                else:
                    setv(n, "spl", PARSE_ERROR, r["error"][:300], output=q, error=r["error"])
                    continue
                # executed on the reference evaluator (spl_exec.py, ../engines/spl)
                v, detail, ev = spl_exec.judge(dict(cases[n], events=target_events[n]["spl"]), outcomes[(n, "spl")], SPL_NOW)
                setv(n, "spl", v, detail if v != PARSED or detail.startswith("executed") else f"{parsed}; {detail}", **ev)

    # ---- report ----------------------------------------------------------------------------
    counts = {v: 0 for v in (VERIFIED, PARSED, WRONG, PARSE_ERROR, DECLINED)}
    failed_declines = 0
    for t in TARGETS:
        print(f"\n== {t} ==")
        print(f"{'case':<40} {'verdict':<15} detail")
        per = {v: 0 for v in counts}
        for n in names:
            v, detail, ev = verdicts[(n, t)]
            per[v] += 1
            counts[v] += 1
            if v == DECLINED and not detail:
                failed_declines += 1
                detail = "NO REASON GIVEN " + json.dumps(ev)
            print(f"{n:<40} {v:<15} {detail}")
        print(f"-- {t}: " + ", ".join(f"{per[v]} {v}" for v in per))
    bad = [(k, verdicts[k]) for k in sorted(verdicts) if verdicts[k][0] in (WRONG, PARSE_ERROR)]
    if bad:
        print("\n== wrong rows and parse errors (evidence) ==")
        for (n, t), (v, detail, ev) in bad:
            print(f"\n[{v}] {n} / {t}")
            print("  KQL:      " + cases[n]["rule"]["query"].strip().replace("\n", "\n            "))
            print("  emitted:  " + (ev.get("output") or "").strip().replace("\n", "\n            "))
            for k in ("sql", "expected", "got", "agree", "engine", "error"):
                if ev.get(k) is not None and ev.get(k) != "":
                    print(f"  {k + ':':<9} {str(ev[k]).strip()[:1500]}")
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump([{"case": n, "target": t, "verdict": v, "detail": d, **ev} for (n, t), (v, d, ev) in sorted(verdicts.items())],
                      f, indent=1)
    # Known wrong results (known_failures.txt): reported, still counted as wrong, not failing.
    known = {}
    kf = Path(__file__).with_name("known_failures.txt" if mapping is None else f"known_failures_{args.pipeline}.txt")
    for line in (kf.read_text() if kf.exists() else "").splitlines():
        if line.strip() and not line.startswith("#"):
            case, target, reason = line.split("\t", 2)
            known[(case, target)] = reason
    unexpected = [k for k, (v, _, _) in verdicts.items() if v in (WRONG, PARSE_ERROR) and k not in known]
    fixed = [k for k in known if k in verdicts and verdicts[k][0] not in (WRONG, PARSE_ERROR)]
    if known:
        print(f"\n== known wrong results ({kf.name}) ==")
        for (n, t), reason in sorted(known.items()):
            state = "still wrong" if (n, t) not in fixed else "NOW PASSES: remove it from the list"
            print(f"{n} / {t}: {state}: {reason}")
    total = sum(counts.values())
    print()
    print(f"conformance: {counts[VERIFIED]} verified-equal, {counts[PARSED]} parsed-only, {counts[WRONG]} wrong, "
          f"{counts[PARSE_ERROR]} parse errors, {counts[DECLINED]} declined of {total} case-targets")
    known_wrong = len(known) - len(fixed)
    passed = counts[VERIFIED] + counts[PARSED] + counts[DECLINED] - failed_declines
    failed = len(unexpected) + len(fixed) + failed_declines
    print(f"({known_wrong} of the wrong results are known and listed above)")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
