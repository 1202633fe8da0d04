"""Parse EQL with the `eql` package in Elasticsearch's dialect (`eql.parser.elasticsearch_syntax`).

Run with $KQLPORT_ORACLES/kql/bin/python. stdin: JSON [{"key", "text"}]; stdout: JSON
{"oracle": "...", "results": [{"key", "ok", "error"}]}. The default (permissive) schema:
any event category and field is accepted, so this checks syntax and function signatures.
"""

import json
import sys
from importlib.metadata import version

import eql
from eql.parser import elasticsearch_syntax, parse_query


def check(text):
    try:
        with elasticsearch_syntax:
            parse_query(text)
    except Exception as e:  # eql.EqlError subclasses (EqlSyntaxError, EqlSemanticError, ...)
        return f"{type(e).__name__}: {e}"
    return None


def main():
    items = json.load(sys.stdin)
    results = []
    for it in items:
        err = check(it["text"])
        results.append({"key": it["key"], "ok": err is None, "error": err})
    json.dump({"oracle": f"eql {version('eql')} parse_query (elasticsearch_syntax)", "results": results},
              sys.stdout)


if __name__ == "__main__":
    main()
