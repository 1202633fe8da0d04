"""Shared helpers for the evaluator's unit tests (each test reproduces an example from Elastic's
ES|QL documentation; the test names its page)."""
from __future__ import annotations

import datetime as dt
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import engine  # noqa: E402
from engine import Evaluator, Index, Row  # noqa: E402
from values import format_date, parse_iso  # noqa: E402

DOCS = "https://www.elastic.co/docs/reference/query-languages/esql/"


def index(name: str, mapping: dict, docs: list[dict]) -> Index:
    """An index from rows as a cluster stores them (dates as ISO strings here)."""
    rows = []
    for i, d in enumerate(docs, 1):
        r = Row(src=i)
        for k, v in d.items():
            if v is None:
                continue
            if mapping[k] == "date":
                v = [parse_iso(x) for x in v] if isinstance(v, list) else parse_iso(v)
            r[k] = v
        rows.append(r)
    return Index(name, mapping, rows)


def run(query: str, *indices: Index, now: str = "2024-05-01T12:00:00Z"):
    """The result table as a list of dicts (dates back as ISO strings) and the Result."""
    ev = Evaluator({ix.name: ix for ix in indices}, now=dt.datetime.fromisoformat(now.replace("Z", "+00:00")))
    res = ev.run(query)
    out = []
    for r in res.rows:
        row = {}
        for c, t in res.columns.items():
            v = r.get(c)
            if t == "date" and v is not None:
                v = [format_date(x) for x in v] if isinstance(v, list) else format_date(v)
            row[c] = v
        out.append(row)
    return out, res


# A few `employees` documents from the documentation's examples (the test data set the pages use).
EMPLOYEES_MAPPING = {"emp_no": "integer", "first_name": "keyword", "last_name": "keyword", "languages": "integer",
                     "salary": "integer", "hire_date": "date", "still_hired": "boolean"}


def employees(docs: list[dict]) -> Index:
    return index("employees", EMPLOYEES_MAPPING, docs)


__all__ = ["DOCS", "index", "run", "employees", "engine"]
