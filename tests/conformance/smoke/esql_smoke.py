"""Smoke test: detection-rules-esql-py parses ES|QL and, under an esql.Schema, rejects unknown fields.

Run with $KQLPORT_ORACLES/esql/bin/python. Prints one line: PASS/FAIL.

API: `esql.parse_query(text)` -> esql.ast.EsqlQuery (raises esql.EsqlSyntaxError / EsqlSemanticError).
`esql.Schema({...})` is a context manager; inside it parse_query also runs `esql.analyze`,
raising EsqlSchemaError (unknown field/column), EsqlTypeMismatchError, EsqlSemanticError.
Schema(..., allow_missing=True) relaxes only unknown index fields.
"""

import sys

import esql

QUERY = (
    'FROM logs-* | WHERE TO_LOWER(process.name) IN ("tor.exe") '
    "| STATS c = COUNT_DISTINCT(host.name) BY process.hash.md5 | SORT c DESC | LIMIT 1000"
)
MAPPING = {"process.name": "keyword", "host.name": "keyword", "process.hash.md5": "keyword", "destination.port": "long"}


def expect_error(schema, text, err):
    try:
        with schema:
            esql.parse_query(text)
    except err as e:
        return str(e).splitlines()[1] if "\n" in str(e) else str(e)
    raise AssertionError(f"expected {err.__name__} for: {text}")


def main() -> int:
    try:
        tree = esql.parse_query(QUERY)
        assert esql.get_from_sources(tree) == ["logs-*"], esql.get_from_sources(tree)
        assert esql.get_stats_grouping_fields(tree) == ["process.hash.md5"], esql.get_stats_grouping_fields(tree)
        schema = esql.Schema(MAPPING)
        with schema:
            esql.parse_query(QUERY)
        unknown = expect_error(schema, QUERY.replace("host.name", "host.nmae"), esql.EsqlSchemaError)
        expect_error(schema, 'FROM logs-* | WHERE destination.port == "x"', esql.EsqlTypeMismatchError)
        expect_error(schema, "FROM logs-* | STATS c = COUNT(*) BY host.name | KEEP process.name", esql.EsqlSchemaError)
        expect_error(schema, "FROM logs-* | WHERE FOO(process.name)", esql.EsqlSemanticError)
        expect_error(schema, "FROM logs-* | WHER x", esql.EsqlSyntaxError)
    except Exception as e:  # noqa: BLE001
        print(f"FAIL esql (detection-rules-esql-py {esql.__version__}): {type(e).__name__}: {e}")
        return 1
    print(f"PASS esql: detection-rules-esql-py {esql.__version__} ({esql.__es_compat__}) parsed the query; "
          f"Schema rejected an unknown field ({unknown})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
