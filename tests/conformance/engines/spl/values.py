"""Splunk's value model: null, strings, numbers and multivalue fields.

Every rule names the documentation page it follows by a key of DOCS.md (e.g. [eval]).

- A field is absent (null) or holds one value or several (a multivalue field). A multivalue
  field with one value *is* a single value; with none it is null [mv-eval]. Here: None, a
  scalar, or a list of two or more scalars.
- Field values extracted from events are text; "Numbers stored as strings" that look like
  numbers are used as numbers by eval comparisons and arithmetic, and by sort and min/max
  ("These functions process values as numbers if possible") [stats-functions][sort].
- Booleans exist only inside where/eval expressions; "The result of an eval expression cannot
  be a Boolean" [eval].
"""

from __future__ import annotations

import math
import re


class Unsupported(Exception):
    """The query uses something this evaluator does not model; the message names it."""


class SplError(Exception):
    """Splunk itself would reject the search (a syntax or usage error)."""


NUM_RE = re.compile(r"^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$")


def norm_mv(v):
    """A multivalue of one value is that value; of none, null [mv-eval]."""
    if isinstance(v, list):
        if len(v) == 0:
            return None
        if len(v) == 1:
            return v[0]
    return v


def values_of(v) -> list:
    """The values of a field: [] for null, [x] for a single value."""
    if v is None:
        return []
    if isinstance(v, list):
        return list(v)
    return [v]


def as_number(v):
    """The number a value stands for, or None. Strings that look like numbers count [eval]."""
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return v
    if isinstance(v, str) and NUM_RE.match(v):
        f = float(v)
        if f.is_integer() and re.match(r"^\s*[+-]?\d+\s*$", v):
            return int(f)
        return f
    return None


def fmt_number(n) -> str:
    """How Splunk prints a number: integers without a fraction, others shortest repr."""
    if isinstance(n, bool):
        raise Unsupported("a Boolean used as a value")
    if isinstance(n, int):
        return str(n)
    if math.isnan(n) or math.isinf(n):
        raise Unsupported("a non-finite number")
    if n.is_integer() and abs(n) < 1e15:
        return str(int(n))
    return repr(n)


def to_text(v) -> str:
    """The text of a single value (eval's tostring of a number, a string unchanged)."""
    if isinstance(v, str):
        return v
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return fmt_number(v)
    if isinstance(v, bool):
        raise Unsupported("a Boolean used as a text value (eval results cannot be Booleans)")
    raise Unsupported(f"text of {type(v).__name__}")


class FieldText(str):
    """Text read from an event: Splunk infers its type, so text that looks like a number acts
    as a number against numbers [stats-functions][sort]. A string literal or a string function
    result is a plain `str`."""


def is_num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _cmp_text(a, b) -> int:
    ta, tb = to_text(a).encode("utf-8"), to_text(b).encode("utf-8")
    return (ta > tb) - (ta < tb)


def _cmp_num(a, b) -> int:
    na, nb = as_number(a), as_number(b)
    return (na > nb) - (na < nb)


def compare(a, b) -> int:
    """Order of two single values [sort][lexicographical-order][eval]: numerically when one is a
    number and the other is or looks like one, or when both are event text that looks numeric;
    lexicographically by UTF-8 bytes otherwise. Event text that looks numeric against a string
    literal that looks numeric is where Splunk's type inference is undocumented: if numeric and
    text order disagree there, Unsupported."""
    na, nb = as_number(a), as_number(b)
    if na is None or nb is None:
        return _cmp_text(a, b)
    if is_num(a) or is_num(b) or (isinstance(a, FieldText) and isinstance(b, FieldText)):
        return _cmp_num(a, b)
    if isinstance(a, FieldText) or isinstance(b, FieldText):
        x, y = _cmp_num(a, b), _cmp_text(a, b)
        if x != y:
            raise Unsupported(f"comparing numeric-looking text {a!r} with the string {b!r} (Splunk's type inference "
                              f"decides between numeric and text order; not documented)")
        return x
    return _cmp_text(a, b)


def equal(a, b) -> bool:
    """eval `==`: the comparison rule of compare(), exact and case-sensitive for text; "The
    <eval-expression> is case-sensitive" [where]."""
    return compare(a, b) == 0
