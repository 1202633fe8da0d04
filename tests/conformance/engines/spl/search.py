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
- `field IN (a, b)` is `field=a OR field=b`, wildcards included (`status IN(4*, 5*)`)
  [search][search-examples].
- `index=`, `sourcetype=` select the data; `earliest=`/`latest=` are time modifiers, not field
  comparisons: events with earliest <= _time < latest, latest defaulting to now
  [time-modifiers][specify-time-modifiers].
- A wildcard in the middle of a value that holds punctuation is refused: "Wild cards used in
  the middle of a term might ... return inconsistent results if the term contains punctuation"
  [event-segmentation][wildcards]. Wildcards at the ends of a value are matched against the
  whole field value; a wildcard value holding a major breaker (a space …) is refused, as the
  pages do not say how its segments are looked up.
- Bare terms search `_raw`'s segments [search][event-segmentation]: `_raw` is split at the
  major breakers, then each major segment at the minor breakers (the default lists of
  segmenters.conf [segmenters]); a bare term without breakers matches an event that has a
  segment equal to it, in any case [case-sensitivity]. A term holding a breaker (a phrase) or
  a wildcard is refused.
- `TERM(x)` matches "whatever is inside the parentheses as a single term in the index, even
  if it contains ... minor breakers" [term-case]: one of the index's terms (a major segment,
  a prefix of one up to a minor breaker, or a piece between minor breakers [segmenters]).
  CASE() is refused.

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


# [segmenters] segmenters.conf, [default]: MAJOR and MINOR breakers.
MAJOR_SEQUENCES = ("%2526", "%2520", "%21", "%26", "%3B", "%7C", "%20", "%2B", "%3D", "%5D", "%5B",
                   "%3A", "%0A", "%2C", "%28", "%29", "--")
MAJOR_CHARS = "[]<>(){}|!;,'\"*\n\r \t&?+"
MINOR_CHARS = "/:=@.-$#%\\_"
MAJOR_RX = re.compile("|".join(re.escape(x) for x in MAJOR_SEQUENCES) + "|[" + re.escape(MAJOR_CHARS) + "]")
MINOR_RX = re.compile("[" + re.escape(MINOR_CHARS) + "]")


def major_segments(raw: str) -> list[str]:
    return [x for x in MAJOR_RX.split(raw) if x]


def has_breaker(text: str) -> bool:
    return bool(MAJOR_RX.search(text) or MINOR_RX.search(text))


def term_matches(term: str, ev: dict) -> bool:
    """A bare search term: some segment of `_raw` equals it, in any case."""
    if "*" in term or has_breaker(term):
        raise Unsupported(f"bare search term {term!r} with a wildcard or a breaker (phrase search)")
    fold_ok(term, "")
    t = term.lower()
    return any(seg.lower() == t for seg in indexed_terms(ev.get("_raw", "")))


def indexed_terms(raw: str) -> set[str]:
    """The index's terms for `_raw` [segmenters]: each major segment, and "for each minor
    breaker found, … the token from the last major breaker to the current minor breaker and
    from the last minor breaker to the current minor breaker" (plus the piece after the last
    minor breaker: 91.205.189.15 gives 91, 205, 189 and 15 [event-segmentation])."""
    out: set[str] = set()
    for seg in major_segments(raw):
        if MINOR_RX.sub("", seg):
            out.add(seg)
        start = 0
        for m in MINOR_RX.finditer(seg):
            if seg[:m.start()]:
                out.add(seg[:m.start()])
            if seg[start:m.start()]:
                out.add(seg[start:m.start()])
            start = m.end()
        if seg[start:]:
            out.add(seg[start:])
    return out


def term_directive_matches(term: str, ev: dict) -> bool:
    """TERM(x): `x` is one term of the index, minor breakers and all [term-case][segmenters]."""
    if "*" in term or MAJOR_RX.search(term):
        raise Unsupported(f"TERM({term}) with a wildcard or a major breaker")
    fold_ok(term, "")
    t = term.lower()
    return any(seg.lower() == t for seg in indexed_terms(ev.get("_raw", "")))


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
    middle = "*" in value.strip("*")
    if "*" in value and MAJOR_RX.search(value.replace("*", "")):
        raise Unsupported(f"a wildcard value holding a major breaker: {value!r} (lookup not documented)")
    for v in values_of(fv):
        t = to_text(v)
        if middle and any(not c.isalnum() and c != "*" for c in value + t):
            raise Unsupported(f"a wildcard in the middle of {value!r} matched against {t!r}, with "
                              "punctuation (inconsistent results)")
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
    if kind == "all":
        return True
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
        return term_matches(node[1], ev)
    if kind == "termdir":
        return term_directive_matches(node[1], ev)
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
