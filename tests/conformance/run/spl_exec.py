"""SPL execution for the conformance runner: run a case's SPL on the reference evaluator
(../engines/spl, written from Splunk's documentation) and judge its rows against `expected`.

judge() returns (verdict, detail, evidence) in runner.py's terms. Rows (`rows:` expectations)
compare the source `_id`s of the results; tables compare the expected columns' values:
- datetimes as instants (an ISO string or UNIX time), numbers numerically (reals within 1e-9
  relative), text exactly;
- a string column's "" and Splunk's absent field are the same empty cell (KQL has no null
  string; Splunk shows a missing field as an empty cell) — but inside a set or list they are
  not: a set that lacks "" differs (issue 11, class 1);
- `set_columns` as sets; a one-element set that Splunk returns as a single value (a multivalue
  field with one value is that value) differs unless the translation's notes say so.
An approximate translation whose rows differ only in its labelled direction (over-match: a
superset; under-match: a subset) is parsed-only, as for EQL. A values-only note does not excuse
a table that differs (a note on one column says nothing of the others), except the one-element
set above, which its own note names.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "engines"))

from spl import SplError, Unsupported, run_spl  # noqa: E402

VERIFIED, PARSED, WRONG, PARSE_ERROR = "verified-equal", "parsed-only", "wrong", "parse-error"
ENGINE = "SPL reference evaluator (tests/conformance/engines/spl)"
ISO = __import__("re").compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
SINGLE_NOTE = ("one value", "single value")


def instant(v):
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return float(v)
    if isinstance(v, str) and ISO.match(v):
        return dt.datetime.fromisoformat(v.replace("Z", "+00:00")).timestamp()
    if isinstance(v, str):
        try:
            return float(v)
        except ValueError:
            return None
    return None


def num(v):
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str):
        try:
            return float(v)
        except ValueError:
            return None
    return None


def same_scalar(want, got, kind: str) -> bool:
    if want is None or want == "":
        return got is None or got == ""
    if got is None:
        return False
    if kind == "datetime":
        a, b = instant(want), instant(got)
        return a is not None and b is not None and abs(a - b) < 1e-3
    if isinstance(want, (int, float)) and not isinstance(want, bool):
        g = num(got)
        return g is not None and math.isclose(float(want), g, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(want, bool):
        return str(got).lower() == str(want).lower()
    return isinstance(got, str) and got == want


def column_kinds(case: dict, cols: list[str]) -> dict[str, str]:
    """datetime for a column typed datetime in the schema or holding ISO instants."""
    types = {}
    for t in case.get("schema", {}).values():
        types.update(t)
    kinds = {}
    for c in cols:
        vals = [r.get(c) for r in case["expected"]["table"] if r.get(c) not in (None, "")]
        if types.get(c) == "datetime" or (vals and all(isinstance(v, str) and ISO.match(v) for v in vals)):
            kinds[c] = "datetime"
        else:
            kinds[c] = "scalar"
    return kinds


def same_row(want: dict, got: dict, cols, kinds, sets, single_ok, flags) -> bool:
    for c in cols:
        w, g = want.get(c), got.get(c)
        if isinstance(w, (dict, list)) and c not in sets and isinstance(g, str):
            # a dynamic value shown as its JSON text
            try:
                if json.loads(g) != w:
                    return False
            except ValueError:
                return False
            continue
        if isinstance(w, list):
            gl = g if isinstance(g, list) else [] if g is None else [g]
            if not isinstance(g, list) and g is not None and len(w) == 1:
                if not single_ok:
                    flags.add(f"`{c}`: a one-element set comes back as the single value {g!r}")
                    return False
                flags.add("single")
            if c in sets:
                if len(gl) != len(set(map(str, gl))) or len(w) != len(gl):
                    return False
                used = [False] * len(gl)
                for x in w:
                    for k, y in enumerate(gl):
                        if not used[k] and same_scalar(x, y, kinds[c]) and not (x == "" and y is None):
                            used[k] = True
                            break
                    else:
                        return False
            else:
                if len(w) != len(gl) or not all(same_scalar(x, y, kinds[c]) for x, y in zip(w, gl)):
                    return False
        elif not same_scalar(w, g, kinds[c]):
            return False
    return True


def match_tables(want: list, got: list, ordered: bool, cmp) -> bool:
    if len(want) != len(got):
        return False
    if ordered:
        return all(cmp(w, g) for w, g in zip(want, got))
    used = [False] * len(got)
    for w in want:
        for k, g in enumerate(got):
            if not used[k] and cmp(w, g):
                used[k] = True
                break
        else:
            return False
    return True


def contains_rows(big: list, small: list, cmp) -> bool:
    used = [False] * len(big)
    for s in small:
        for k, b in enumerate(big):
            if not used[k] and cmp(s, b):
                used[k] = True
                break
        else:
            return False
    return True


def visible(row: dict) -> dict:
    return {k: v for k, v in row.items() if k not in ("__id", "_raw", "index", "sourcetype")}


def judge(case: dict, outcome: dict, now: float) -> tuple[str, str, dict]:
    q = outcome["output"]
    exp = case["expected"]
    try:
        # The lookup definitions a translation's notes ask the user to configure
        # (transforms.conf stanzas), as the case gives them.
        res = run_spl(q, case["events"], now, case.get("spl_transforms"))
    except Unsupported as e:
        return PARSED, f"not executed: the SPL evaluator does not model {e}", {}
    except SplError as e:
        return PARSE_ERROR, f"SPL evaluator: Splunk would reject it: {e}", {"output": q, "error": str(e)}
    except Exception as e:  # noqa: BLE001 - a bug in the evaluator: shown, and fails the run
        return PARSE_ERROR, f"SPL evaluator internal error (a bug in tests/conformance/engines/spl): {e!r}", \
            {"output": q, "error": repr(e)}
    effects = {n.get("effect") for n in outcome.get("notes", [])}
    approx = outcome.get("status") == "approximate"
    if "rows" in exp:
        if any("__id" not in r for r in res.rows):
            return PARSED, "expected rows of events, but the SPL returns aggregated results (no source event)", {}
        ids = [r["__id"] for r in res.rows]
        want = exp["rows"]
        ok = ids == want if exp.get("order_matters") else sorted(ids) == sorted(want)
        shown = ids if exp.get("order_matters") else sorted(ids)
        cmp = f"expected {want if exp.get('order_matters') else sorted(want)}, got {shown}"
        if ok:
            return VERIFIED, f"{ENGINE}: {shown}", {}
        w, g = set(want), set(ids)
        if approx and (("over-match" in effects and g >= w) or ("under-match" in effects and g <= w)):
            lab = "over-match" if g >= w and "over-match" in effects else "under-match"
            return PARSED, f"executed: rows differ only as labelled ({lab}): {cmp}", {}
        return WRONG, cmp, {"output": q, "expected": want, "got": ids, "engine": ENGINE}
    # a table
    cols = exp.get("columns") or (list(exp["table"][0]) if exp["table"] else [])
    got_rows = [visible(r) for r in res.rows]
    got_cols = res.columns if res.columns is not None else sorted({k for r in got_rows for k in r})
    if sorted(got_cols) != sorted(cols):
        detail = f"columns differ: expected {cols}, got {got_cols}"
        return WRONG, detail, {"output": q, "expected": exp["table"], "got": got_rows, "engine": ENGINE}
    kinds = column_kinds(case, cols)
    sets = set(exp.get("set_columns", []))
    single_ok = any(n.get("effect") == "values" and any(s in (n.get("message") or "") for s in SINGLE_NOTE)
                    for n in outcome.get("notes", []))
    flags: set = set()

    def cmp(w, g):
        return same_row(w, g, cols, kinds, sets, single_ok, flags)

    ok = match_tables(exp["table"], got_rows, bool(exp.get("order_matters")), cmp)
    shown = f"expected {exp['table']}, got {got_rows}"
    if ok:
        extra = "; a one-element set is a single value (noted: values only)" if "single" in flags else ""
        if extra:
            return PARSED, f"executed: rows differ only as labelled (values){extra}: {shown}"[:1500], {}
        return VERIFIED, f"{ENGINE}: {len(got_rows)} row(s) equal", {}
    if approx:
        if "over-match" in effects and contains_rows(got_rows, exp["table"], lambda w, g: cmp(w, g)):
            return PARSED, f"executed: rows differ only as labelled (over-match): {shown}"[:1500], {}
        if "under-match" in effects and contains_rows(exp["table"], got_rows, lambda g, w: cmp(w, g)):
            return PARSED, f"executed: rows differ only as labelled (under-match): {shown}"[:1500], {}
    why = "; ".join(sorted(f for f in flags if f != "single"))
    return WRONG, (why + "; " if why else "") + shown[:1200], {"output": q, "expected": exp["table"], "got": got_rows,
                                                               "engine": ENGINE}
