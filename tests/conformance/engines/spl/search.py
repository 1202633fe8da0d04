"""The search command's expression language over events (DOCS.md keys in []).

- `field=value`: field names are case-sensitive, values case-insensitive; `*` in a value is a
  wildcard for any characters and the value must match the whole field value; a multivalue
  field matches if any value does [search][wildcards][case-sensitivity]. The backslash cannot
  escape `*` in a search string [spl-regex] — such a value is refused.
- `field!=value` matches events that have the field with a value that does not match; events
  without the field are not returned. `NOT field=value` also returns events without the field
  [not-vs-neq].
- `<`, `>`, `<=`, `>=` compare numerically when both sides are numbers, else lexicographically
  [search].
- `field IN (a, b)` is `field=a OR field=b` [search].
- `index=`, `sourcetype=` select the data; `earliest=`/`latest=` are time modifiers, not field
  comparisons: events with earliest <= _time < latest, latest defaulting to now
  [time-modifiers][specify-time-modifiers].
- Bare terms (keyword search of _raw), CASE(), TERM() are not modelled (Unsupported).

Case-insensitive matching folds case with Python's str.lower(); Splunk does not document how
it folds non-ASCII letters, so a value or field text with non-ASCII letters whose match would
depend on that folding is refused.
"""

from __future__ import annotations

import calendar
import re

from .evalexpr import relative
from .values import SplError, Unsupported, as_number, to_text, values_of

TIME_KEYS = ("earliest", "latest")


def wildcard_rx(value: str):
    if "\\" in value and re.search(r"\\[*]", value):
        raise Unsupported(f"a backslash before * in the search value {value!r} (cannot be escaped in search)")
    return re.compile("".join(".*" if c == "*" else re.escape(c) for c in value), re.S | re.I)


def fold_ok(value: str, text: str):
    """Refuse when a case-insensitive match depends on folding non-ASCII letters."""
    if any(ord(c) > 127 and c.isalpha() for c in value):
        raise Unsupported(f"case-insensitive search value {value!r} with non-ASCII letters (Splunk's folding undocumented)")


def value_matches(value: str, quoted: bool, fv) -> bool:
    fold_ok(value, "")
    rx = wildcard_rx(value)
    for v in values_of(fv):
        t = to_text(v)
        if rx.fullmatch(t):
            if not t.isascii() and not re.fullmatch("".join(".*" if c == "*" else re.escape(c) for c in value), t, re.S | re.I | re.A):
                raise Unsupported(f"case-insensitive match of {value!r} against non-ASCII text {t!r}")
            return True
    return False


def order_matches(op: str, value: str, fv) -> bool:
    for v in values_of(fv):
        a, b = as_number(v), as_number(value)
        if a is not None and b is not None:
            c = (a > b) - (a < b)
        else:
            x, y = to_text(v).lower().encode(), value.lower().encode()
            c = (x > y) - (x < y)
        if {"<": c < 0, ">": c > 0, "<=": c <= 0, ">=": c >= 0}[op]:
            return True
    return False


def absolute_time(v: str) -> float | None:
    """An exact time in the default format %m/%d/%Y:%H:%M:%S [time-modifiers], read as UTC."""
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4}):(\d{1,2}):(\d{2}):(\d{2})", v)
    if not m:
        return None
    mo, d, y, h, mi, s = (int(x) for x in m.groups())
    return float(calendar.timegm((y, mo, d, h, mi, s, 0, 0, 0)))


def time_bounds(node, now: float) -> tuple[float | None, float | None, object]:
    """Pull earliest/latest out of the top-level AND of a search; returns (earliest, latest,
    the rest). Time modifiers anywhere else are refused."""
    items = node[1] if node and node[0] == "and" else [node] if node else []
    earliest = latest = None
    rest = []
    for it in items:
        if it[0] == "cmp" and it[1] in TIME_KEYS:
            if it[2] != "=":
                raise Unsupported(f"time modifier {it[1]}{it[2]}")
            v = it[3]
            t = absolute_time(v)
            if t is None:
                t = float(v) if re.fullmatch(r"\d+(\.\d+)?", v) else now if v == "now" else relative(now, v)
            if it[1] == "earliest":
                earliest = t
            else:
                latest = t
            continue
        rest.append(it)
    check_no_time(rest)
    rest_node = None if not rest else rest[0] if len(rest) == 1 else ("and", rest)
    return earliest, latest, rest_node


def check_no_time(items):
    for it in items:
        if it[0] == "cmp" and it[1] in TIME_KEYS:
            raise Unsupported(f"time modifier {it[1]} inside a Boolean expression")
        if it[0] in ("and", "or"):
            check_no_time(it[1])
        if it[0] == "not":
            check_no_time([it[1]])


def matches(node, ev: dict) -> bool:
    kind = node[0]
    if kind == "and":
        return all(matches(n, ev) for n in node[1])
    if kind == "or":
        return any(matches(n, ev) for n in node[1])
    if kind == "not":
        return not matches(node[1], ev)
    if kind == "in":
        fv = ev.get(node[1])
        return any(value_matches(v, q, fv) for v, q in node[2])
    if kind == "cmp":
        _, field, op, value, quoted = node
        if field in TIME_KEYS:
            raise Unsupported(f"time modifier {field} inside a Boolean expression")
        fv = ev.get(field)
        if fv is None:
            return False
        if op == "=":
            return value_matches(value, quoted, fv)
        if op == "!=":
            # a multivalue field: true if some value does not match (Splunk's "!=" per value)
            if isinstance(fv, list):
                raise Unsupported(f"`{field}!=` on a multivalue field")
            return not value_matches(value, quoted, fv)
        return order_matches(op, value, fv)
    if kind == "term":
        raise Unsupported(f"bare search term {node[1]!r} (keyword search of _raw)")
    raise SplError(f"search node {kind}")


def run_search(text: str, events: list[dict], now: float, first: bool) -> list[dict]:
    from .syntax import parse_search

    node = parse_search(text)
    earliest, latest, rest = time_bounds(node, now)
    if not first and (earliest is not None or latest is not None):
        raise Unsupported("time modifiers in a search command later in the pipeline")
    if earliest is not None and latest is None:
        latest = now  # "If you omit latest, the current time (now) is used"
    # no time modifier at all: the time range picker's range, taken to be All time
    out = []
    for ev in events:
        if earliest is not None or latest is not None:
            t = ev.get("_time")
            if t is None:
                continue
            if earliest is not None and t < earliest:
                continue
            if latest is not None and t >= latest:
                continue
        if rest is None or matches(rest, ev):
            out.append(ev)
    return out
