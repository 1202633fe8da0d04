"""Run one conformance case's ES|QL on the reference evaluator.

The case's tables become indices (`engine.load_index`: dynamic columns as leaf fields only, JSON
text in string columns as text); a named lookup (`watchlist:<name>`) the index `<name>` lower-cased. A translation whose `join` reads a lookup index carries the
index's materialisation query as `//` lines above the query (backends/esql/src/join.rs): the
runner runs that query first and loads its rows as the lookup index, as the output asks a user
to do.
"""
from __future__ import annotations

import json
import random
import re

import syntax as S
from engine import Evaluator, Index, Row, load_index
from expressions import StoredList
from expressions import QueryError
from patterns import PatternError
from syntax import EsqlParseError, Unsupported
from values import format_date

_LOOKUP = re.compile(r"lookup index `([A-Za-z0-9_.\-]+)`")
DOTTED = re.compile(r"`?([A-Za-z_@][A-Za-z0-9_@]*(?:\.[A-Za-z_@][A-Za-z0-9_@]*)+)`?")


def split_preamble(text: str):
    """(main query, [(lookup index, its materialisation query)]) from kqlport's `//` preamble."""
    lookups = []
    body = []
    current = None
    for line in text.split("\n"):  # not splitlines(): a literal may hold \x0c, \x1c …
        if line.startswith("//"):
            content = line[2:]
            m = _LOOKUP.search(content)
            if m:
                current = [m.group(1), []]
                lookups.append(current)
            elif current is not None and content.startswith("   "):
                current[1].append(content[3:])
            continue
        body.append(line)
    return "\n".join(body), [(name, "\n".join(lines)) for name, lines in lookups if lines]


def query_leaves(query: str, schema: dict) -> dict:
    """Dotted names a query reads under a `dynamic` column: a real index maps them from other
    documents even when no event of the case holds them (keyword)."""
    q = re.sub(r'"""[\s\S]*?"""|"(?:[^"\\]|\\.)*"', '""', query)
    dyn = {c for cols in schema.values() for c, t in cols.items() if t == "dynamic"}
    return {n: "keyword" for n in DOTTED.findall(q) if n.split(".", 1)[0] in dyn}


def _cell(v, t):
    if v is None:
        return None
    if isinstance(v, list):
        return [_cell(x, t) for x in v]
    if t == "date":
        return format_date(v)
    if t == "ip":
        return str(v)
    return v


# A case's named lookup (a watchlist, an externaldata list) is `"watchlist:<name>"` in its schema
# and events. kqlport's ES|QL reads it from the index `<name>` lower-cased (index names are),
# which its note asks the user to create and fill with the lookup's rows: so it is loaded so.
LOOKUP_PREFIX = "watchlist:"


def index_name(table: str) -> str:
    """The index a case's table is loaded as: its own name, a lookup's lower-cased."""
    if table.startswith(LOOKUP_PREFIX):
        return table[len(LOOKUP_PREFIX):].lower()
    return table


def _run_once(main, lookups, schema, events, extra, order, reverse_mv):
    indices = {index_name(t): load_index(index_name(t), cols, events.get(t, []), extra)
               for t, cols in schema.items()}
    for ix in indices.values():
        ix.docs = [ix.docs[i] for i in order(len(ix.docs))]
        if reverse_mv:
            for d in ix.docs:
                for k, v in d.items():
                    if isinstance(v, StoredList):
                        d[k] = StoredList(reversed(v))
    ev = Evaluator(indices)
    notes = []
    lookup_cols = {}
    for name, mq in lookups:
        r = ev.run(mq)
        notes += [f"materialisation query: {c}" for c in r.caveats]
        docs = [Row(dict(row.items()), src=None) for row in r.rows]
        indices[name] = Index(name, r.columns, docs)
        lookup_cols[name] = dict(r.columns)
    res = ev.run(main)
    return res, notes + res.caveats, lookup_cols


def _canonical(res, ordered: bool):
    cols = res.columns
    rows = [json.dumps([_cell(r.get(c), cols[c]) for c in cols], sort_keys=True, default=str) for r in res.rows]
    ids = [str(r.src) for r in res.rows]
    return json.dumps((list(cols), rows, ids) if ordered else (sorted(cols), sorted(rows), sorted(ids)))


# Row orders tried: the documentation leaves the order of unsorted rows and of a stored
# multivalue's values undefined, so a result is only taken when it is the same under each.
_ORDERS = [
    (lambda n: list(range(n)), False),
    (lambda n: list(reversed(range(n))), True),
    (lambda n: random.Random(7).sample(range(n), n), False),
    (lambda n: random.Random(11).sample(range(n), n), True),
]


def run_case(query: str, schema: dict, events: dict) -> dict:
    """{ok, ids, columns, table, warnings, notes, order_dependent, lookups} or {unsupported} /
    {query_error}."""
    main, lookups = split_preamble(query)
    if not lookups and "LOOKUP JOIN" in main.upper():
        return {"unsupported": "LOOKUP JOIN without a materialisation query for its lookup index"}
    extra = query_leaves(query, schema)
    try:
        runs = [_run_once(main, lookups, schema, events, extra, o, rv) for o, rv in _ORDERS]
    except Unsupported as e:
        return {"unsupported": str(e)}
    except (QueryError, PatternError) as e:
        return {"query_error": str(e)}
    except EsqlParseError as e:
        return {"query_error": f"parse: {e}"}
    res, notes, lookup_cols = runs[0]
    as_sets = {_canonical(r, False) for r, _, _ in runs}
    as_seqs = {_canonical(r, True) for r, _, _ in runs}
    cols = res.columns
    return {
        "ok": True,
        "ids": res.ids(),
        "ordered": bool(getattr(res, "ordered", False)),
        "columns": dict(cols),
        "table": [{c: _cell(r.get(c), cols[c]) for c in cols} for r in res.rows],
        "warnings": res.warnings,
        "notes": sorted(set(notes)),
        # whether the result changes with the (undefined) order of input rows / stored values:
        # as a multiset, and as a sequence
        "order_dependent": len(as_sets) > 1,
        "sequence_order_dependent": len(as_seqs) > 1,
        "lookups": lookup_cols,
    }


def mapping_for_schema(query: str, schema: dict, events: dict) -> dict:
    """The index mapping (field -> ES type) the evaluator loads, for esql.Schema."""
    extra = query_leaves(query, schema)
    m = {}
    for t, cols in schema.items():
        try:
            m.update(load_index(t, cols, events.get(t, []), extra).mapping)
        except Unsupported:
            for c, kt in cols.items():
                if kt != "dynamic":
                    m[c] = "keyword"
    return m


__all__ = ["run_case", "split_preamble", "mapping_for_schema", "S"]
