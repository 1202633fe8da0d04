"""Small helpers: build a table of events, run a search, read back ids or a field."""

from __future__ import annotations

from spl import run_spl

NOW = 1_717_243_200.0  # 2024-06-01T12:00:00Z, the search's now()


def events(*rows: dict, table: str = "T", start: str = "2024-06-01T10:00:00Z") -> dict:
    """Events of one table; each gets `_id` 1.. and, unless given, a TimeGenerated."""
    out = []
    for k, r in enumerate(rows, 1):
        e = {"_id": k, "TimeGenerated": start}
        e.update(r)
        out.append(e)
    return {table: out}


def ids(query: str, evs: dict, now: float = NOW) -> list:
    return [r["__id"] for r in run_spl(query, evs, now).rows]


def rows(query: str, evs: dict, now: float = NOW) -> list[dict]:
    return [{k: v for k, v in r.items() if k not in ("__id", "_raw", "_time", "index", "sourcetype", "TimeGenerated")}
            for r in run_spl(query, evs, now).rows]


def value(expr: str, row: dict | None = None, now: float = NOW):
    """The value of an eval expression over one event (None when null)."""
    evs = events(row or {})
    out = run_spl(f"search index=* | eval x={expr}", evs, now).rows[0]
    return out.get("x")


def cond(expr: str, row: dict | None = None) -> bool:
    """Whether `where expr` keeps the one event."""
    return ids(f"search index=* | where {expr}", events(row or {})) == [1]
