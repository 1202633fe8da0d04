"""Helpers to run KQL over JSON events with duckdb-kql (run with $KQLPORT_ORACLES/kql/bin/python).

    con = duckdb_kql.connect()
    load_events(con, "DeviceNetworkEvents", events, {"RemotePort": "int"})
    cols, rows = run(con, 'DeviceNetworkEvents | where RemotePort != 443')

A table's columns are the union of the events' keys (first-seen order); a key missing from
an event is SQL NULL, except in a string column, where it is "" (Kusto has no null string;
`missing_string=None` keeps NULL). Types: from `types` (Kusto names) or inferred from the values
(bool, long, real, string, dynamic for dict/list). DuckDB-side: dynamic is JSON, datetime is
TIMESTAMP (UTC; give ISO-8601 strings), timespan is INTERVAL.

Kusto has no null string: a missing string is "". Where a NULL string reaches duckdb-kql
anyway (computed columns, missing_string=None) compare after `kusto_normalise`
(NULL string -> "", JSON text -> decoded value).
"""

from __future__ import annotations

import json
from typing import Any, Iterable

KQL_TO_DUCKDB = {
    "string": "VARCHAR",
    "int": "INTEGER",
    "long": "BIGINT",
    "real": "DOUBLE",
    "double": "DOUBLE",
    "bool": "BOOLEAN",
    "boolean": "BOOLEAN",
    "datetime": "TIMESTAMP",
    "timespan": "INTERVAL",
    "guid": "UUID",
    "dynamic": "JSON",
}


def _infer(values: Iterable[Any]) -> str:
    kinds = set()
    for v in values:
        if v is None:
            continue
        if isinstance(v, bool):
            kinds.add("bool")
        elif isinstance(v, int):
            kinds.add("long")
        elif isinstance(v, float):
            kinds.add("real")
        elif isinstance(v, str):
            kinds.add("string")
        else:
            kinds.add("dynamic")
    if not kinds:
        return "string"
    if kinds == {"long", "real"}:
        return "real"
    if len(kinds) == 1:
        return kinds.pop()
    return "dynamic"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def load_events(
    con,
    table: str,
    events: list[dict],
    types: dict[str, str] | None = None,
    missing_string: str | None = "",
) -> dict[str, str]:
    """(Re)create `table` from a list of JSON objects. Returns {column: kusto type}.

    missing_string: what a string column holds where the event has no value (absent key or
    JSON null). Kusto has no null strings, so the default "" is what Sentinel shows; with it,
    `== ""`, `isempty`, `summarize by`, `distinct` on such columns answer as Kusto does.
    Pass None to keep SQL NULL (duckdb-kql then differs from Kusto on those; see README).
    """
    types = dict(types or {})
    columns: list[str] = []
    for e in events:
        for k in e:
            if k not in columns:
                columns.append(k)
    for k in types:
        if k not in columns:
            columns.append(k)
    kinds = {c: types.get(c) or _infer(e.get(c) for e in events) for c in columns}
    ddl = ", ".join(f"{_quote(c)} {KQL_TO_DUCKDB[kinds[c]]}" for c in columns)
    con.execute(f"DROP TABLE IF EXISTS {_quote(table)}")
    con.execute(f"CREATE TABLE {_quote(table)} ({ddl})")
    if events:
        marks = ", ".join("?" for _ in columns)
        rows = []
        for e in events:
            row = []
            for c in columns:
                v = e.get(c)
                if v is None and kinds[c] == "string":
                    v = missing_string
                if v is not None and kinds[c] == "dynamic":
                    v = json.dumps(v)
                row.append(v)
            rows.append(row)
        con.executemany(f"INSERT INTO {_quote(table)} VALUES ({marks})", rows)
    return kinds


def run(con, query: str) -> tuple[list[str], list[tuple]]:
    """Execute KQL; returns (column names, rows). Raises duckdb_kql.KqlError subclasses."""
    import duckdb_kql

    rel = duckdb_kql.kql(con, query)
    return list(rel.columns), rel.fetchall()


def run_dicts(con, query: str) -> list[dict]:
    cols, rows = run(con, query)
    return [dict(zip(cols, r)) for r in rows]


def kusto_normalise(value: Any, kusto_type: str | None = None) -> Any:
    """Map a duckdb-kql value to what Kusto would show: NULL string -> "", JSON text -> value."""
    if value is None:
        return "" if kusto_type == "string" else None
    if kusto_type == "dynamic" and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def column_types(con, query: str) -> dict[str, str]:
    """Kusto type of each output column of a KQL query (from DuckDB's result types)."""
    import duckdb_kql
    from duckdb_kql.types import kusto_type

    rel = duckdb_kql.kql(con, query)
    return {c: kusto_type(str(t)) for c, t in zip(rel.columns, rel.types)}
