"""The ES|QL reference evaluator: runs a query's commands over in-memory indices.

Commands follow their pages under https://www.elastic.co/docs/reference/query-languages/esql/commands/
(cited per command below). A row is a dict column -> value plus its source document's id
(`Row.src`, for comparing which input rows a query keeps; it is not a column).

Row order: a table is in an undefined order until SORT; LIMIT over an unsorted table (or one that
cuts between rows SORT considers equal) keeps an undefined subset, which is recorded as a caveat
(`Result.caveats`) instead of guessed.
"""
from __future__ import annotations

import datetime as dt
import fnmatch
import json

import syntax as S
from expressions import (AGGREGATES, Context, QueryError, StoredList, compile_expr)
from syntax import Unsupported
from values import NUMERIC, STRING, as_list, norm_mv, parse_iso, EvalWarning

COMMANDS = "https://www.elastic.co/docs/reference/query-languages/esql/commands/"


class Row(dict):
    __slots__ = ("src",)

    def __init__(self, *a, src=None, **k):
        super().__init__(*a, **k)
        self.src = src


class Index:
    """An index: its mapping (field -> ES|QL type, leaf fields only) and documents."""

    def __init__(self, name: str, mapping: dict, docs: list):
        self.name = name
        self.mapping = dict(mapping)
        self.docs = docs


class Result:
    def __init__(self, columns: dict, rows: list, warnings: list, caveats: list):
        self.columns = columns
        self.rows = rows
        self.warnings = warnings
        self.caveats = caveats

    def ids(self):
        return [r.src for r in self.rows]


class Table:
    def __init__(self, columns: dict, rows: list, ordered=False, sort_key=None):
        self.columns = columns  # name -> type, in output order
        self.rows = rows
        self.ordered = ordered
        self.sort_key = sort_key  # row -> comparable tuple, for LIMIT's tie check


# ------------------------------------------------------------------------------------------
# Loading a conformance case's events the way a cluster maps them
# ------------------------------------------------------------------------------------------

KUSTO_TO_ES = {"string": "keyword", "long": "long", "int": "integer", "real": "double", "double": "double",
               "decimal": "double", "bool": "boolean", "boolean": "boolean", "datetime": "date",
               "timespan": "long", "guid": "keyword"}


def _json_type(v):
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "long"
    if isinstance(v, float):
        return "double"
    return "keyword"


def _flatten(prefix: str, v, out: dict):
    """Object fields become dotted leaf fields; arrays (of objects too) flatten into multivalued
    leaves ("Arrays", https://www.elastic.co/docs/reference/elasticsearch/mapping-reference/array:
    an array of objects is flattened into a list of values per leaf)."""
    if isinstance(v, dict):
        for k, x in v.items():
            _flatten(f"{prefix}.{k}" if prefix else k, x, out)
    elif isinstance(v, list):
        for x in v:
            _flatten(prefix, x, out)
    elif v is not None:
        out.setdefault(prefix, []).append(v)


def _coerce(v, t: str, where: str):
    """A JSON value into a field of type t (numeric strings are coerced, as the `coerce` mapping
    parameter does by default: https://www.elastic.co/docs/reference/elasticsearch/mapping-reference/coerce).
    A value the field cannot take would make Elasticsearch reject the document: Unsupported."""
    try:
        if t == "keyword":
            if isinstance(v, (dict, list)):
                return json.dumps(v, separators=(",", ":"))
            if isinstance(v, bool):
                return "true" if v else "false"
            return str(v)
        if t in ("long", "integer"):
            if isinstance(v, bool):
                raise ValueError
            if isinstance(v, float):
                return int(v)  # coerce truncates a fraction for integer types
            return int(v)
        if t == "double":
            if isinstance(v, bool):
                raise ValueError
            return float(v)
        if t == "boolean":
            if isinstance(v, bool):
                return v
            if v in ("true", "false"):
                return v == "true"
            raise ValueError
        if t == "date":
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                return int(v)
            return parse_iso(v)
    except (ValueError, TypeError, EvalWarning):
        pass
    raise Unsupported(f"{where}: {json.dumps(v)} cannot be indexed as a {t} field (Elasticsearch would reject the document)")


def load_index(name: str, kusto_schema: dict, events: list, extra_leaves: dict | None = None) -> Index:
    """The case's table as an index: each column mapped from its Kusto type; a `dynamic` column is
    an object, so only its leaf fields exist (`X.a`, never `X`); a `string` column keeps JSON text
    as text. `extra_leaves` (field -> type) maps dynamic leaves a query names that no event holds
    (a real index would have them mapped from other documents)."""
    mapping = {}
    dynamic = set()
    for col, kt in kusto_schema.items():
        if kt == "dynamic":
            dynamic.add(col)
        else:
            mapping[col] = KUSTO_TO_ES.get(kt, "keyword")
    docs = []
    for ev in events:
        doc = Row(src=ev.get("_id"))
        for col, v in ev.items():
            if col == "_id":
                continue
            if col in dynamic:
                leaves: dict = {}
                _flatten(col, v, leaves)
                for leaf, vals in leaves.items():
                    if leaf not in mapping:
                        # dynamic mapping: the first value seen decides the field's type
                        mapping[leaf] = _json_type(vals[0])
                    doc[leaf] = [_coerce(x, mapping[leaf], f"event {doc.src} field {leaf}") for x in vals]
            elif col in mapping:
                if v is None:
                    continue
                if isinstance(v, list):
                    doc[col] = [_coerce(x, mapping[col], f"event {doc.src} field {col}") for x in v]
                else:
                    doc[col] = _coerce(v, mapping[col], f"event {doc.src} field {col}")
            else:
                raise Unsupported(f"event {doc.src} has column {col} outside the case schema")
        docs.append(doc)
    for leaf, t in (extra_leaves or {}).items():
        base = leaf.split(".", 1)[0]
        if base in dynamic and leaf not in mapping and not any(k.startswith(leaf + ".") for k in mapping):
            mapping[leaf] = t
    # multivalues as read back from doc values: keyword sorted and de-duplicated, others sorted
    # ("ES|QL multivalued fields": keyword removes duplicates, long keeps them; order undefined,
    # "frequently ascending")
    for doc in docs:
        for k, v in list(doc.items()):
            if isinstance(v, list):
                vals = sorted(set(v)) if mapping[k] == "keyword" else sorted(v)
                nv = norm_mv(vals)
                doc[k] = StoredList(nv) if isinstance(nv, list) else nv
    return Index(name, mapping, docs)


# ------------------------------------------------------------------------------------------
# The evaluator
# ------------------------------------------------------------------------------------------

class Evaluator:
    def __init__(self, indices: dict, now: dt.datetime | None = None):
        self.indices = indices
        now = now or dt.datetime.now(dt.timezone.utc)
        self.now_ms = int(now.timestamp() * 1000)

    def run(self, query: str | S.Query) -> Result:
        q = S.parse(query) if isinstance(query, str) else query
        self.warnings: list = []
        self.caveats: list = []
        table = None
        if sum(isinstance(c, S.Fork) for c in q.commands) > 1:
            # commands/fork, Limitations: "Using more than one FORK command in a query is not supported."
            raise QueryError("more than one FORK command in a query is not supported")
        for i, cmd in enumerate(q.commands):
            if i == 0:
                if not isinstance(cmd, (S.From, S.Row)):
                    raise QueryError("a query starts with a source command")
            elif isinstance(cmd, (S.From, S.Row)):
                raise QueryError("a source command after the first")
            fn = getattr(self, "c_" + type(cmd).__name__, None)
            if fn is None:
                raise Unsupported(f"command {type(cmd).__name__.upper()}")
            table = fn(table, cmd)
        res = Result(table.columns, table.rows, self.warnings, self.caveats)
        res.ordered = table.ordered
        return res

    def cx(self, table) -> Context:
        return Context(table.columns if table else {}, self.now_ms, self.warnings, self.caveats)

    # -- FROM (commands/from): the index's fields; METADATA adds _id / _index ----------------
    # Several indices (`FROM a, b`, "Query multiple indices" / esql-multi-index): the rows of
    # every index, columns the union of their mappings; a field an index does not map is null
    # in its rows. A field mapped with different types in different indices has type
    # `unsupported` ("union types"): its values read as null and naming it in an expression is
    # an error unless a conversion function resolves it (not modelled: Unsupported).
    # `_index` is the index each row came from. The row order is not defined (no SORT).
    def c_From(self, _, cmd: S.From):
        if not cmd.indices:
            raise QueryError("FROM needs an index")
        for name in cmd.indices:
            if "*" in name or ":" in name:
                raise Unsupported(f"FROM index pattern {name}")
            if name not in self.indices:
                raise QueryError(f"Unknown index [{name}]")
        if len(set(cmd.indices)) != len(cmd.indices):
            raise Unsupported("FROM naming an index twice")
        types: dict = {}
        for name in cmd.indices:
            for c, t in self.indices[name].mapping.items():
                if c in types and types[c] != t:
                    types[c] = "unsupported"
                else:
                    types.setdefault(c, t)
        cols = dict(sorted(types.items()))
        rows, origin = [], []
        for name in cmd.indices:
            for d in self.indices[name].docs:
                rows.append(Row({c: (None if t == "unsupported" else d.get(c)) for c, t in cols.items()}, src=d.src))
                origin.append(name)
        for m in cmd.metadata:
            if m == "_id":
                cols["_id"] = "keyword"
                for r in rows:
                    r["_id"] = str(r.src)
            elif m == "_index":
                cols["_index"] = "keyword"
                for r, name in zip(rows, origin):
                    r["_index"] = name
            else:
                raise Unsupported(f"METADATA {m}")
        return Table(cols, rows)

    # -- ROW (commands/row): one row of the given values --------------------------------------
    def c_Row(self, _, cmd: S.Row):
        t = Table({}, [Row(src=None)])
        return self.c_Eval(t, S.Eval(cmd.fields))

    # -- WHERE (commands/where): keeps the rows whose condition is true (null drops the row) ---
    def c_Where(self, t: Table, cmd: S.Where):
        ty, f = compile_expr(cmd.expr, self.cx(t))
        if ty not in ("boolean", "null"):
            raise QueryError(f"WHERE condition must be boolean, found [{ty}]")
        keep = []
        for r in t.rows:
            v = f(r)
            if isinstance(v, list):
                self.warnings.append("single-value function encountered multi-value (WHERE)")
                v = None
            if v is True:
                keep.append(r)
        return Table(t.columns, keep, t.ordered, t.sort_key)

    # -- EVAL (commands/eval): appends columns; an existing column of the same name is dropped
    # and the new one appended; later assignments see earlier ones -----------------------------
    def c_Eval(self, t: Table, cmd: S.Eval):
        cols = dict(t.columns)
        rows = [Row(r, src=r.src) for r in t.rows]
        for name, e in cmd.fields:
            ty, f = compile_expr(e, Context(cols, self.now_ms, self.warnings, self.caveats))
            vals = [f(r) for r in rows]
            cols.pop(name, None)
            cols[name] = ty
            for r, v in zip(rows, vals):
                r[name] = v
        return Table(cols, rows, t.ordered, t.sort_key)

    # -- KEEP (commands/keep): precedence complete name > partial wildcard > `*`; rightmost wins
    # among equals; a name matching nothing is an error ------------------------------------------
    def c_Keep(self, t: Table, cmd: S.Keep):
        chosen: dict = {}  # column -> (precedence, position)
        for pos, p in enumerate(cmd.patterns):
            prec = 3 if "*" not in p else (1 if p == "*" else 2)
            matched = [c for c in t.columns if fnmatch.fnmatchcase(c, p)] if "*" in p else (
                [p] if p in t.columns else [])
            if not matched:
                if "*" in p:
                    raise QueryError(f"No matches found for pattern [{p}]")
                raise QueryError(f"Unknown column [{p}]")
            for c in matched:
                old = chosen.get(c)
                if old is None or prec > old[0] or prec == old[0]:
                    chosen[c] = (prec, pos)
        # output order: by the winning pattern's position, then the table's order within it
        order = sorted(chosen, key=lambda c: (chosen[c][1], list(t.columns).index(c)))
        cols = {c: t.columns[c] for c in order}
        rows = [Row({c: r.get(c) for c in order}, src=r.src) for r in t.rows]
        return Table(cols, rows, t.ordered, t.sort_key)

    # -- DROP (commands/drop): removes columns (wildcards allowed) ----------------------------
    def c_Drop(self, t: Table, cmd: S.Drop):
        gone = set()
        for p in cmd.patterns:
            matched = [c for c in t.columns if fnmatch.fnmatchcase(c, p)] if "*" in p else (
                [p] if p in t.columns else [])
            if not matched:
                raise QueryError(f"Unknown column [{p}]" if "*" not in p else f"No matches found for pattern [{p}]")
            gone.update(matched)
        cols = {c: ty for c, ty in t.columns.items() if c not in gone}
        rows = [Row({c: r.get(c) for c in cols}, src=r.src) for r in t.rows]
        return Table(cols, rows, t.ordered, t.sort_key)

    # -- RENAME (commands/rename): old AS new; a column already named new is replaced ----------
    def c_Rename(self, t: Table, cmd: S.Rename):
        cols = list(t.columns.items())
        rows = [Row(r, src=r.src) for r in t.rows]
        for old, new in cmd.pairs:
            if "*" in old or "*" in new:
                raise Unsupported("RENAME with wildcards")
            types = dict(cols)
            if old not in types:
                raise QueryError(f"Unknown column [{old}]")
            if old == new:
                continue
            # the renamed column stays where the old one stood; a column already named `new` goes
            cols = [(new, ty) if c == old else (c, ty) for c, ty in cols if c != new]
            for r in rows:
                v = r.pop(old, None)
                r.pop(new, None)
                r[new] = v
        cols = dict(cols)
        rows = [Row({c: r.get(c) for c in cols}, src=r.src) for r in rows]
        return Table(cols, rows, t.ordered, t.sort_key)

    # -- SORT (commands/sort): ascending by default; null is larger than any value (last when
    # ascending, first when descending) unless NULLS FIRST/LAST; a multivalue sorts by its lowest
    # value ascending and its highest descending; equal keys are ties (order undefined) ----------
    def c_Sort(self, t: Table, cmd: S.Sort):
        cx = self.cx(t)
        keys = []
        for e, asc, nulls_first in cmd.keys:
            ty, f = compile_expr(e, cx)
            if ty not in NUMERIC + STRING + ("date", "boolean", "ip"):
                raise Unsupported(f"SORT by {ty}")
            nf = (not asc) if nulls_first is None else nulls_first
            keys.append((f, asc, nf))

        def key(r):
            out = []
            for f, asc, nf in keys:
                v = f(r)
                if isinstance(v, list):
                    v = min(v) if asc else max(v)
                out.append((v is None, v, asc, nf))
            return out

        rows = list(t.rows)
        import functools

        def cmp(a, b):
            for (an, av, asc, nf), (bn, bv, _, _) in zip(key(a), key(b)):
                if an and bn:
                    continue
                if an or bn:
                    # the null one goes first iff nulls first
                    return (-1 if an else 1) * (1 if nf else -1)
                if av == bv:
                    continue
                c = -1 if av < bv else 1
                return c if asc else -c
            return 0
        rows.sort(key=functools.cmp_to_key(cmp))
        return Table(t.columns, rows, True, lambda r: [(n, v) for n, v, _, _ in key(r)])

    # -- LIMIT (commands/limit): the first N rows; over an undefined order the subset is undefined
    def c_Limit(self, t: Table, cmd: S.Limit):
        n = cmd.n
        if len(t.rows) > n:
            if not t.ordered:
                self.caveats.append(f"LIMIT {n} keeps {n} of {len(t.rows)} rows in no defined order "
                                    "(no SORT before it): which rows is not defined")
            elif n > 0 and t.sort_key(t.rows[n - 1]) == t.sort_key(t.rows[n]):
                self.caveats.append(f"LIMIT {n} cuts between rows SORT orders equally: which of them is kept is not defined")
        return Table(t.columns, t.rows[:n], t.ordered, t.sort_key)

    # -- MV_EXPAND (commands/mv_expand): one row per value of a multivalued column ------------
    def c_MvExpand(self, t: Table, cmd: S.MvExpand):
        if cmd.column not in t.columns:
            raise QueryError(f"Unknown column [{cmd.column}]")
        rows = []
        for r in t.rows:
            v = r.get(cmd.column)
            for x in (as_list(v) or [None]):
                nr = Row(r, src=r.src)
                nr[cmd.column] = x
                rows.append(nr)
        return Table(t.columns, rows, False)

    # -- STATS / INLINE STATS (commands/stats-by, commands/inlinestats-by) ---------------------
    def c_Stats(self, t: Table, cmd: S.Stats):
        from stats import run_stats
        return run_stats(self, t, cmd)

    # -- LOOKUP JOIN (commands/lookup-join, esql-lookup-join): left outer; one output row per
    # matching lookup document; a row whose key is null or multivalued matches nothing; lookup
    # columns override same-named columns ("Handling name collisions") ------------------------
    def c_LookupJoin(self, t: Table, cmd: S.LookupJoin):
        ix = self.indices.get(cmd.index)
        if ix is None:
            raise QueryError(f"Unknown index [{cmd.index}]")
        for k in cmd.on:
            if k not in t.columns:
                raise QueryError(f"Unknown column [{k}] in the LOOKUP JOIN condition")
            if k not in ix.mapping:
                raise QueryError(f"Unknown column [{k}] in the lookup index [{cmd.index}]")
            lt, rt = t.columns[k], ix.mapping[k]
            if not (lt == rt or (lt in STRING and rt in STRING) or (lt in NUMERIC and rt in NUMERIC)):
                raise QueryError(f"LOOKUP JOIN key [{k}] has type [{lt}] on the left and [{rt}] in the lookup index")
        added = {c: ty for c, ty in sorted(ix.mapping.items()) if c not in cmd.on}
        cols = {c: ty for c, ty in t.columns.items() if c not in added}
        cols.update(added)
        rows = []
        for r in t.rows:
            keys = [r.get(k) for k in cmd.on]
            matches = []
            if all(k is not None and not isinstance(k, list) for k in keys):
                matches = [d for d in ix.docs if all(d.get(k) == v for k, v in zip(cmd.on, keys))]
            if not matches:
                nr = Row({c: r.get(c) for c in cols if c not in added}, src=r.src)
                for c in added:
                    nr[c] = None
                rows.append(nr)
            for d in matches:
                nr = Row({c: r.get(c) for c in cols if c not in added}, src=r.src)
                for c in added:
                    nr[c] = d.get(c)
                rows.append(nr)
        rows = [Row({c: r.get(c) for c in cols}, src=r.src) for r in rows]
        return Table(cols, rows, False)

    # -- FORK (commands/fork): every branch runs its commands over the same input rows, and the
    # output is the branches' rows in one table. A `_fork` column (keyword) names the branch a
    # row came from: `fork1` for the first branch written, `fork2`, … A branch without a LIMIT
    # gets `LIMIT 1000` ("FORK branches default to LIMIT 1000 if no LIMIT is provided").
    # Columns: the union of the branches' columns, a column a branch lacks null in its rows;
    # one name must have one type in every branch. Rows of different branches "may be
    # interleaved": no order after FORK. At most 8 branches; the grammar needs two or more.
    def c_Fork(self, t: Table, cmd: S.Fork):
        if len(cmd.branches) < 2:
            raise QueryError("Fork requires at least two branches")
        if len(cmd.branches) > 8:
            raise QueryError("FORK supports at most 8 execution branches")
        outs = []
        for i, branch in enumerate(cmd.branches, start=1):
            limits = [j for j, c in enumerate(branch) if isinstance(c, S.Limit)]
            if limits and limits[-1] != len(branch) - 1:
                # The page says only that a branch with no LIMIT gets LIMIT 1000.
                raise Unsupported("FORK branch whose last command is not its LIMIT")
            if not limits:
                branch = list(branch) + [S.Limit(1000)]
            b = Table(dict(t.columns), [Row(r, src=r.src) for r in t.rows], t.ordered, t.sort_key)
            for c in branch:
                if isinstance(c, (S.From, S.Row, S.Fork)):
                    raise QueryError(f"{type(c).__name__.upper()} inside a FORK branch")
                fn = getattr(self, "c_" + type(c).__name__, None)
                if fn is None:
                    raise Unsupported(f"command {type(c).__name__.upper()}")
                b = fn(b, c)
            outs.append((f"fork{i}", b))
        cols: dict = {}
        for _, b in outs:
            for c, ty in b.columns.items():
                old = cols.get(c)
                if old is None or old == "null":
                    cols[c] = ty
                elif ty not in (old, "null"):
                    raise QueryError(f"Column [{c}] has conflicting data types in FORK branches: [{old}] and [{ty}]")
        cols["_fork"] = "keyword"
        rows = []
        for name, b in outs:
            for r in b.rows:
                nr = Row({c: r.get(c) for c in cols}, src=r.src)
                nr["_fork"] = name
                rows.append(nr)
        return Table(cols, rows, False)

    def c_Dissect(self, t, cmd):
        raise Unsupported("DISSECT (not emitted by kqlport; not modelled)")

    # -- GROK (commands/grok, esql-process-data-with-dissect-and-grok; see grok.py): the
    # pattern is searched for in each value of the input (a string; a multivalue value by
    # value); each named group is a keyword column, appended after the others, an existing
    # column of that name discarded; no match or a null input gives null; a name captured
    # more than once (twice in the pattern, or in several values) is multivalued --------------
    def c_Grok(self, t: Table, cmd: S.Grok):
        from grok import grok_value, to_python
        ty, f = compile_expr(cmd.expr, self.cx(t))
        if ty not in STRING and ty != "null":
            raise QueryError(f"GROK input must be a string, found [{ty}]")
        rx, names = to_python(cmd.pattern)
        new = list(dict.fromkeys(names))
        cols = {c: k for c, k in t.columns.items() if c not in new}
        cols.update({n: "keyword" for n in new})
        rows = []
        for r in t.rows:
            got: dict = {}
            for v in as_list(f(r)):
                for name, vals in (grok_value(rx, names, v) or {}).items():
                    got.setdefault(name, []).extend(vals)
            nr = Row({c: r.get(c) for c in cols if c not in new}, src=r.src)
            for n in new:
                vals = got.get(n, [])
                nr[n] = None if not vals else (vals[0] if len(vals) == 1 else vals)
            rows.append(nr)
        return Table(cols, rows, t.ordered, t.sort_key)


__all__ = ["Evaluator", "Index", "load_index", "QueryError", "Unsupported", "Result", "Row", "AGGREGATES"]
