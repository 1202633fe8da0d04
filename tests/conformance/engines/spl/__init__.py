"""A reference evaluator for the SPL that kqlport emits, written from Splunk's documentation
(see DOCS.md for the pages and README.md for what is modelled). Not from kqlport's output.

    from engines.spl import run_spl
    res = run_spl(query, {"Table": [event, ...]}, now=time.time())
    res.rows      # results in order; each a dict of visible fields (+ "__id": source row id)
    res.columns   # the columns a table/fields/stats command fixed, else None

Raises Unsupported (naming the construct) for anything not modelled, SplError where Splunk
itself would reject the search.
"""

from __future__ import annotations

from dataclasses import dataclass

from .commands import HIDDEN, Pipeline, output_value
from .events import load, lookups
from .values import SplError, Unsupported


@dataclass
class Result:
    rows: list[dict]
    columns: list[str] | None


def run_spl(query: str, events: dict, now: float, definitions: dict | None = None) -> Result:
    loaded = load(events)
    # Search results come back newest first [search-results-order]; stable for equal times.
    loaded.sort(key=lambda e: -e["_time"])
    p = Pipeline(loaded, now, lookups(events), definitions)
    rows = p.run(query)
    out = []
    for r in rows:
        o = {k: output_value(v) for k, v in r.items() if k != HIDDEN}
        o = {k: v for k, v in o.items() if v is not None}
        if HIDDEN in r:
            o[HIDDEN] = r[HIDDEN]
        out.append(o)
    return Result(out, p.columns)


__all__ = ["run_spl", "Result", "Unsupported", "SplError", "HIDDEN"]
