"""ES|QL worker (run with $KQLPORT_ORACLES/esql/bin/python, Python >= 3.12): for each query,
(1) parse it with Elastic's ES|QL grammar inside an `esql.Schema` holding the index mapping the
case's events give, then (2) run it on the reference evaluator (../engines/esql, built on the
same grammar) over those events.

stdin:  JSON list of {"case", "query", "schema": {table: {column: kusto_type}}, "events": {table: [...]}}
stdout: JSON list of {"case", "ok": bool, "error": str|None, "mapping": {...}, "exec": {...}}

The mapping is the one a cluster gets from the events (`engines/esql/engine.py: load_index`):
string→keyword, long→long, int→integer, real→double, bool→boolean, datetime→date,
timespan→long, guid→keyword; a `dynamic` column is an object, so only its leaf fields exist
(`InitiatedBy.user.userPrincipalName`, never `InitiatedBy`), typed by their JSON values, plus the
dotted names the query reads under it (a real index maps those from other documents); a string
column holding JSON text stays one keyword field.

"exec" is case_runner.run_case's answer: {"ok", "ids", "columns", "table", "warnings",
"caveats"}, or {"unsupported": construct}, or {"query_error": message} (the evaluator's verifier
rejects the query, as a cluster would).
"""
import json
import os
import re
import sys

import esql

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "engines", "esql"))
import case_runner  # noqa: E402


KUSTO_TO_ES = {
    "string": "keyword", "long": "long", "int": "long", "real": "double", "double": "double",
    "decimal": "double", "bool": "boolean", "boolean": "boolean", "datetime": "date",
    "timespan": "long", "guid": "keyword",
}

DOTTED = re.compile(r"`?([A-Za-z_@][A-Za-z0-9_@]*(?:\.[A-Za-z_@][A-Za-z0-9_@]*)+)`?")


def strip_strings(q: str) -> str:
    """The query with string literals blanked (so dotted words inside them are not fields)."""
    return re.sub(r'"""[\s\S]*?"""|"(?:[^"\\]|\\.)*"', '""', q)


def mapping_for(query: str, schema: dict) -> dict:
    """A mapping from the query alone, for ../validate/esql_worker.py (corpus translations have no
    events): dynamic leaves the query names, and a string column the query reads as JSON, as
    keyword objects. The conformance check above uses the events' own mapping instead."""
    m = {}
    dynamic = set()
    for cols in schema.values():
        for c, t in cols.items():
            if t == "dynamic":
                dynamic.add(c)
            else:
                m[c] = KUSTO_TO_ES.get(t, "keyword")
    for name in DOTTED.findall(strip_strings(query)):
        base = name.split(".", 1)[0]
        if base in dynamic:
            m[name] = "keyword"
        elif m.get(base) == "keyword":
            # A string column holding JSON text that the KQL parses (parse_json(X).a): the ES|QL
            # backend reads it as the object field X.a, assuming the integration ingests the JSON
            # as an object, and labels that translation approximate. Check it under that
            # assumption: X is an object with these leaves.
            del m[base]
            m[name] = "keyword"
        elif base not in m and any(k.startswith(base + ".") for k in m):
            m[name] = "keyword"
    # `KEEP X*` / `DROP X.*` of a dynamic column selects its leaf fields: give an object with
    # no leaf named in the query one (an index maps a Sentinel object column's leaves)
    for d in dynamic:
        if re.search(r"(?<![\w.])" + re.escape(d) + r"\.?\*", strip_strings(query)) and not any(
                k.startswith(d + ".") for k in m):
            m[d + ".kqlport_leaf"] = "keyword"
    return m


def fork_branch_columns(query: str, schema, known) -> dict:
    """The columns FORK branches define that `known` lacks, typed as the checker infers them in
    their branch (`{}` when there is no FORK).

    The checker (detection-rules-esql-py 's esql/analyzer.py, `_command_input_refs`) reads every
    column reference inside a FORK branch against the columns before the FORK, so a branch's
    `STATS n = COUNT(*) | KEEP n` fails with "Unknown field 'n'", although FORK runs each branch
    as its own pipeline over the same input (Elastic's FORK command reference). Adding these
    names to the index mapping lets the rest of the check run. What is then no longer caught
    here: a reference to such a name from another branch (the reference evaluator still rejects
    it: engines/esql, `c_Fork`)."""
    from esql import ast as A
    from esql.analyzer import _command_defining_names, infer_column_types
    try:
        tree = esql.parse_query(query)
    except Exception:  # noqa: BLE001 - the caller's own parse reports it
        return {}
    out = {}
    for cmd in tree.commands:
        if not isinstance(cmd, A.ForkCommand):
            continue
        for branch in cmd.branches:
            types = infer_column_types(branch, schema)
            for bc in branch.commands:
                for name in _command_defining_names(bc):
                    if name not in known and name not in out:
                        t = types.get(name)
                        out[name] = t if t and t != "unknown" else "keyword"
    return out


def main() -> int:
    tasks = json.load(sys.stdin)
    out = []
    for t in tasks:
        events = t.get("events") or {}
        m = case_runner.mapping_for_schema(t["query"], t["schema"], events)
        ex = None
        if "events" in t:
            try:
                ex = case_runner.run_case(t["query"], t["schema"], events)
            except Exception as e:  # noqa: BLE001 - an evaluator bug is reported, never a verdict
                import traceback
                ex = {"crash": f"{type(e).__name__}: {e}", "trace": traceback.format_exc()[-1500:]}
        r = {"case": t["case"], "ok": False, "error": None, "mapping": m}
        lookups = (ex or {}).get("lookups") or None
        m.update(fork_branch_columns(t["query"], esql.Schema(m, lookups=lookups), m))
        try:
            with esql.Schema(m, lookups=lookups):
                esql.parse_query(t["query"])
            r["ok"] = True
        except esql.EsqlError as e:
            r["error"] = f"{type(e).__name__}: {e}"
        except Exception as e:  # noqa: BLE001 - a crash of the parser itself
            r["error"] = f"parser crashed: {type(e).__name__}: {e}"
            r["crash"] = True
        if ex is not None:
            r["exec"] = ex
        out.append(r)
    json.dump(out, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
