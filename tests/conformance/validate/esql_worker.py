"""Parse ES|QL with Elastic's own grammar (detection-rules-esql-py).

Run with $KQLPORT_ORACLES/esql/bin/python. stdin: JSON [{"key", "text"}]; stdout: JSON
{"oracle": "...", "results": [{"key", "ok", "error"}]}. Parsing only: no `esql.Schema`
(kqlport keeps Sentinel field names, and there are no Elastic mappings for them).
"""

import json
import sys
from importlib.metadata import version

import esql


def check(text):
    try:
        esql.parse_query(text)
    except Exception as e:  # EsqlSyntaxError / EsqlSemanticError / anything the parser raises
        return f"{type(e).__name__}: {e}"
    return None


def main():
    items = json.load(sys.stdin)
    results = []
    for it in items:
        err = check(it["text"])
        results.append({"key": it["key"], "ok": err is None, "error": err})
    oracle = f"detection-rules-esql-py {version('detection-rules-esql-py')} esql.parse_query"
    json.dump({"oracle": oracle, "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
