"""Parse ES|QL with Elastic's own grammar (detection-rules-esql-py), then type-check it.

Run with $KQLPORT_ORACLES/esql/bin/python. stdin: JSON [{"key", "text", "schema"?}]; stdout: JSON
{"oracle": "...", "results": [{"key", "ok", "error", "typed"?}]}.

1. Parse without `esql.Schema` (syntax, function names, arity): `ok` / `error`. Gated.
2. Typed check, only when the item carries `schema` ({table: {column: kusto_type}}: kqlport's
   src/schema/tables.tsv entry for the query's FROM table): parse again inside
   `esql.Schema(mapping)`, the mapping built by `mapping_for` of ../run/esql_worker.py (Kusto type →
   ES type; dotted leaves of a `dynamic` column, or of a string column read as JSON, as keyword).
   A field the schema does not know (a LOOKUP JOIN index's `kqlport_match`, `_ResourceId`, a
   column the corpus query takes from elsewhere) is added as `keyword` and the parse retried.
   The columns a FORK branch defines are added as the checker types them in their branch
   (../run/esql_worker.py `fork_branch_columns`: the checker reads a branch's references against
   the columns before the FORK).
   `typed` is one of
     {"status": "clean"}                         no error;
     {"status": "unverified", "error", "guessed"} an error, but some field's type was guessed
                                                 (dynamic leaf or unknown field): not a failure;
     {"status": "error", "error"}                an error with every field's type known. Gated.
"""

import importlib.util
import json
import os
import re
import sys
from importlib.metadata import version

import esql

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location(
    "kqlport_run_esql_worker", os.path.join(HERE, "..", "run", "esql_worker.py"))
_run = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_run)
mapping_for = _run.mapping_for
fork_branch_columns = _run.fork_branch_columns

UNKNOWN_FIELD = re.compile(r"Unknown field '([^']+)'")
MAX_GUESSES = 50


def check(text):
    try:
        esql.parse_query(text)
    except Exception as e:  # EsqlSyntaxError / EsqlSemanticError / anything the parser raises
        return f"{type(e).__name__}: {e}"
    return None


def typed_check(text, schema):
    # Split on "\n" only: str.splitlines() also splits on form feed and other separators that
    # may sit inside a string literal.
    body = "\n".join(ln for ln in text.split("\n") if not ln.lstrip().startswith("//"))
    mapping = mapping_for(body, schema)
    known = {c for cols in schema.values() for c, t in cols.items() if t != "dynamic"}
    # `FROM a, b`: a column two tables type differently is an ES "union type" that ES|QL refuses
    # to read unconverted; leave it out, so naming it is a guess (unverified), never clean.
    seen = {}
    for cols in schema.values():
        for c, t in cols.items():
            if seen.setdefault(c, t) != t:
                mapping.pop(c, None)
                known.discard(c)
    if re.search(r"^FROM\s[^|\n]*\bMETADATA\b[^|\n]*\b_index\b", body, re.M):
        mapping["_index"] = "keyword"
        known.add("_index")
    guessed = sorted(f for f in mapping if f not in known)
    # Columns a FORK branch defines, as the checker types them (see fork_branch_columns).
    forked = fork_branch_columns(
        text, esql.Schema({"properties": {f: {"type": t} for f, t in mapping.items()}}), mapping)
    mapping.update(forked)
    known.update(forked)
    for _ in range(MAX_GUESSES):
        try:
            # The `properties` form: the flat form drops names starting with `_` (kept only for
            # ES metadata fields), and Azure Monitor's `_ResourceId` is an ordinary column.
            with esql.Schema({"properties": {f: {"type": t} for f, t in mapping.items()}}):
                esql.parse_query(text)
            return {"status": "clean", "guessed": guessed}
        except Exception as e:  # noqa: BLE001
            err = f"{type(e).__name__}: {e}"
            m = UNKNOWN_FIELD.search(str(e))
            if isinstance(e, esql.EsqlSchemaError) and m and m.group(1) not in mapping:
                mapping[m.group(1)] = "keyword"
                guessed.append(m.group(1))
                continue
            if guessed:
                return {"status": "unverified", "error": err, "guessed": guessed}
            return {"status": "error", "error": err}
    return {"status": "unverified", "error": f"more than {MAX_GUESSES} unknown fields", "guessed": guessed}


def main():
    items = json.load(sys.stdin)
    results = []
    for it in items:
        err = check(it["text"])
        r = {"key": it["key"], "ok": err is None, "error": err}
        if err is None and it.get("schema"):
            r["typed"] = typed_check(it["text"], it["schema"])
        results.append(r)
    oracle = f"detection-rules-esql-py {version('detection-rules-esql-py')} esql.parse_query"
    json.dump({"oracle": oracle, "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
