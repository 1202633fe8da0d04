"""ES|QL worker (run with $KQLPORT_ORACLES/esql/bin/python, Python >= 3.12): parse each
query with Elastic's ES|QL grammar inside an `esql.Schema` built from the case's Kusto schema.
There is no ES|QL engine offline, so this only says parsed / rejected (with the message).

stdin:  JSON list of {"case", "query", "schema": {table: {column: kusto_type}}}
stdout: JSON list of {"case", "ok": bool, "error": str|None, "mapping": {...}}

Type mapping: string→keyword, long/int→long, real→double, bool→boolean, datetime→date,
timespan→long, guid→keyword. A `dynamic` column is an object: each dotted name in the query
that starts with it (InitiatedBy.user.userPrincipalName) becomes a keyword leaf; so does one of a
string column the query reads as JSON (parse_json(X).a → X.a: the backend's labelled assumption that
the JSON is ingested as an object).
"""
import json
import re
import sys

import esql

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
    return m


def main() -> int:
    tasks = json.load(sys.stdin)
    out = []
    for t in tasks:
        m = mapping_for(t["query"], t["schema"])
        r = {"case": t["case"], "ok": False, "error": None, "mapping": m}
        try:
            with esql.Schema(m):
                esql.parse_query(t["query"])
            r["ok"] = True
        except esql.EsqlError as e:
            r["error"] = f"{type(e).__name__}: {e}"
        except Exception as e:  # noqa: BLE001 - a crash of the parser itself
            r["error"] = f"parser crashed: {type(e).__name__}: {e}"
            r["crash"] = True
        out.append(r)
    json.dump(out, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
