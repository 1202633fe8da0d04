"""STATS … BY and INLINE STATS … BY, and the aggregate functions.

STATS ("STATS", https://www.elastic.co/docs/reference/query-languages/esql/commands/stats-by):
* groups rows by the BY expressions; a null key forms its own group ("Grouping by a NULL
  expression creates a group with a NULL key", esql-null-values "Aggregates and NULL"; the
  stats page's first example has a `null` languages group);
* "If the grouping key is multivalued then the input row is in all groups" (every combination for
  several multivalued keys);
* without BY, exactly one row (also over zero input rows);
* output columns: the aggregates, then the grouping keys; of several columns with one name only
  the rightmost is kept, and an aggregate named like a grouping key is ignored;
* `agg WHERE cond` aggregates only the group's rows where cond is true;
* "Individual null values are skipped when computing aggregations".
INLINE STATS ("INLINE STATS", commands/inlinestats-by): the same aggregates, appended to every
input row of the group (existing same-named columns overridden, grouping keys moved last).

Aggregates (functions-operators/aggregation-functions): COUNT(*) counts rows; COUNT(x) counts
values (each value of a multivalue; COUNT(NULL) is 0); COUNT_DISTINCT distinct values (exact
here: the page says counts are "close to accurate" below the 3000 precision threshold — the
conformance data is far below it); MIN/MAX/SUM/AVG over the values (null when there are none);
VALUES all distinct values, "The order of the returned values isn't guaranteed" (kept sorted
here; compare as a set), null when there are none. SUM of integers is a long, AVG a double.
"""
from __future__ import annotations

import math
import itertools

import syntax as S
from expressions import AGGREGATES, Context, QueryError, compile_expr
from syntax import Unsupported
from values import NUMERIC, STRING, as_list, norm_mv


def _split_aggs(e, slots: list):
    """Replace every aggregate call in e by a column reference to a new slot."""
    if isinstance(e, S.Call) and e.name in AGGREGATES:
        name = f"\x00agg{len(slots)}"
        slots.append(e)
        return S.Col(name, text=e.text)
    if isinstance(e, S.Call):
        return S.Call(e.name, [_split_aggs(a, slots) for a in e.args], e.star, e.text)
    if isinstance(e, S.Bin):
        return S.Bin(e.op, _split_aggs(e.left, slots), _split_aggs(e.right, slots), e.text)
    if isinstance(e, (S.Not, S.Neg)):
        return type(e)(_split_aggs(e.expr, slots), e.text)
    if isinstance(e, S.Cast):
        return S.Cast(_split_aggs(e.expr, slots), e.type, e.text)
    return e


class _Agg:
    def __init__(self, call: S.Call, cx: Context, where):
        self.call = call
        self.name = call.name
        self.where = where
        if call.name == "COUNT" and (call.star or not call.args):
            self.arg = None
            self.type_in = None
        else:
            if len(call.args) != 1:
                raise Unsupported(f"{call.name} with {len(call.args)} arguments")
            self.type_in, self.arg = compile_expr(call.args[0], cx)
        t = self.type_in
        if self.name in ("COUNT", "COUNT_DISTINCT"):
            self.type = "long"
        elif self.name in ("MIN", "MAX", "VALUES"):
            if t not in NUMERIC + STRING + ("date", "boolean", "ip", "null"):
                raise QueryError(f"[{call.text}]: {self.name} of [{t}]")
            self.type = "keyword" if t in STRING else t
        elif self.name == "SUM":
            if t not in NUMERIC + ("null",):
                raise QueryError(f"[{call.text}]: SUM of [{t}]")
            self.type = "double" if t == "double" else "long"
        elif self.name in ("AVG", "STD_DEV"):
            if t not in NUMERIC + ("null",):
                raise QueryError(f"[{call.text}]: {self.name} of [{t}]")
            self.type = "double"
        else:
            raise Unsupported(f"aggregate {self.name}")

    def value(self, rows):
        if self.where is not None:
            rows = [r for r in rows if _true(self.where(r))]
        if self.arg is None:
            return len(rows)
        vals = [x for r in rows for x in as_list(self.arg(r))]
        n = self.name
        if n == "COUNT":
            return len(vals)
        if n == "COUNT_DISTINCT":
            return len(set(vals))
        if not vals:
            return None
        if n == "MIN":
            return min(vals)
        if n == "MAX":
            return max(vals)
        if n == "SUM":
            s = sum(vals)
            return float(s) if self.type == "double" else s
        if n == "AVG":
            return sum(vals) / len(vals)
        if n == "STD_DEV":
            # functions/std_dev: "The population standard deviation of a numeric field"
            mean = sum(vals) / len(vals)
            return math.sqrt(sum((v - mean) ** 2 for v in vals) / len(vals))
        if n == "VALUES":
            return norm_mv(sorted(set(vals)))
        raise Unsupported(f"aggregate {n}")


def _true(v):
    return v is True


def run_stats(ev, t, cmd: S.Stats):
    from engine import Row, Table
    cx = ev.cx(t)
    # grouping keys
    keys = []
    for name, e in cmd.by:
        ty, f = compile_expr(e, cx)
        keys.append((name, ty, f))
    # aggregates: split out aggregate calls, compile them over the input rows
    outs = []
    all_aggs = []
    for name, e, where in cmd.aggs:
        slots: list = []
        outer = _split_aggs(e, slots)
        if not slots:
            raise QueryError(f"[{e.text}] is not an aggregate")
        wf = None
        if where is not None:
            wt, wf = compile_expr(where, cx)
            if wt not in ("boolean", "null"):
                raise QueryError(f"STATS filter [{where.text}] must be boolean")
        aggs = [_Agg(c, cx, wf) for c in slots]
        slot_types = {f"\x00agg{i}": a.type for i, a in enumerate(aggs)}
        ot, of = compile_expr(outer, Context(slot_types, ev.now_ms, ev.warnings, ev.caveats))
        outs.append((name, ot, of, aggs))
        all_aggs.extend(aggs)

    # group the rows
    groups: dict = {}
    order = []
    memberships = []
    for r in t.rows:
        combos = [as_list(f(r)) or [None] for _, _, f in keys]
        if cmd.inline and any(len(c) > 1 for c in combos):
            raise Unsupported("INLINE STATS by a multivalued key")
        mine = []
        for combo in itertools.product(*combos):
            k = tuple(combo)
            if k not in groups:
                groups[k] = []
                order.append(k)
            groups[k].append(r)
            mine.append(k)
        memberships.append(mine)
    if not keys and not groups:
        groups[()] = []
        order.append(())

    def agg_row(k):
        rows = groups[k]
        res = {}
        for name, ot, of, aggs in outs:
            slot = {f"\x00agg{i}": a.value(rows) for i, a in enumerate(aggs)}
            res[name] = of(slot)
        return res

    results = {k: agg_row(k) for k in order}
    key_names = [n for n, _, _ in keys]
    # "If multiple columns have the same name, all but the rightmost ... ignored"; an aggregate
    # named like a grouping key is ignored
    agg_cols = {}
    for name, ot, _, _ in outs:
        if name in key_names:
            continue
        agg_cols.pop(name, None)
        agg_cols[name] = ot
    key_cols = {}
    for n, ty, _ in keys:
        key_cols.pop(n, None)
        key_cols[n] = ty

    if not cmd.inline:
        cols = dict(agg_cols)
        cols.update(key_cols)
        rows = []
        for k in order:
            r = Row(src=None)
            for c in agg_cols:
                r[c] = results[k][c]
            for (n, _, _), v in zip(keys, k):
                r[n] = v
            rows.append(Row({c: r.get(c) for c in cols}, src=None))
        return Table(cols, rows, False)

    # INLINE STATS: every input row gets its group's aggregates; new columns override existing
    # ones and are (re)placed after the others in definition order, grouping keys last
    cols = {c: ty for c, ty in t.columns.items() if c not in agg_cols and c not in key_cols}
    cols.update(agg_cols)
    cols.update(key_cols)
    rows = []
    for r, mine in zip(t.rows, memberships):
        k = mine[0]
        nr = Row(r, src=r.src)
        for c in agg_cols:
            nr[c] = results[k][c]
        for (n, _, _), v in zip(keys, k):
            nr[n] = v
        rows.append(Row({c: nr.get(c) for c in cols}, src=r.src))
    return Table(cols, rows, t.ordered, t.sort_key)
