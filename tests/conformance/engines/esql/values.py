"""Values and types of the ES|QL reference evaluator.

A cell is `None` (null), a scalar, or a `list` of two or more scalars (a multivalue: "ES|QL
multivalued fields", https://www.elastic.co/docs/reference/query-languages/esql/esql-multivalued-fields;
an empty list is null and a one-element list its element, as a field read back from storage).

Scalars by type: keyword → str; integer/long → int; double → float; boolean → bool;
date → int (epoch milliseconds, UTC); ip → ipaddress object; time_duration → int ms;
date_period → (months, days).
"""
from __future__ import annotations

import datetime as dt
import decimal
import math
import re

from syntax import Unsupported

NUMERIC = ("integer", "long", "double")
STRING = ("keyword", "text")


class EvalWarning(Exception):
    """A per-row evaluation failure: the value becomes null and the engine records a warning
    ("ES|QL multivalued fields": 'evaluation of [...] failed, treating result as null')."""


def norm_mv(v):
    """A list read back as a field value: [] → null, [x] → x."""
    if isinstance(v, list):
        v = [x for x in v if x is not None]  # "null in a list ... not preserved at the storage layer"
        if not v:
            return None
        if len(v) == 1:
            return v[0]
    return v


def as_list(v) -> list:
    if v is None:
        return []
    return list(v) if isinstance(v, list) else [v]


def single(v):
    """The single value of an argument, or EvalWarning for a multivalue ("Unless otherwise
    documented functions will return null when applied to a multivalued field")."""
    if isinstance(v, list):
        raise EvalWarning("single-value function encountered multi-value")
    return v


# -- dates -----------------------------------------------------------------------------------

_ISO = re.compile(
    r"^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?"
    r"(Z|[+-]\d{2}(?::?\d{2})?)?)?)?)?$")


def parse_iso(s: str) -> int:
    """strict_date_optional_time (the `date` field's default format, "date field type",
    https://www.elastic.co/docs/reference/elasticsearch/mapping-reference/date): yyyy[-MM[-dd[THH[:mm[:ss[.fraction]]][zone]]]],
    UTC when no zone. Raises EvalWarning otherwise."""
    m = _ISO.match(s)
    if not m:
        raise EvalWarning(f"failed to parse date [{s}]")
    y, mo, d, h, mi, se, frac, zone = m.groups()
    try:
        t = dt.datetime(int(y), int(mo or 1), int(d or 1), int(h or 0), int(mi or 0), int(se or 0),
                        tzinfo=dt.timezone.utc)
    except ValueError as e:
        raise EvalWarning(f"failed to parse date [{s}]: {e}") from None
    ms = int(t.timestamp()) * 1000
    if frac:
        ms += int((frac + "000")[:3])
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        zz = zone[1:].replace(":", "")
        off = int(zz[:2]) * 60 + (int(zz[2:4]) if len(zz) > 2 else 0)
        ms -= sign * off * 60_000
    return ms


def format_date(ms: int) -> str:
    """A date as ES|QL returns and TO_STRING writes it: ISO-8601 UTC with milliseconds
    (e.g. 2023-03-08T00:00:00.000Z in the TO_STRING/DATE_TRUNC examples)."""
    t = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(milliseconds=ms)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def to_datetime_obj(ms: int) -> dt.datetime:
    return dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(milliseconds=ms)


def from_datetime_obj(t: dt.datetime) -> int:
    delta = t - dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
    return delta.days * 86_400_000 + delta.seconds * 1000 + delta.microseconds // 1000


def add_period(ms: int, period, sign: int) -> int:
    months, days = period
    t = to_datetime_obj(ms)
    if months:
        total = t.year * 12 + (t.month - 1) + sign * months
        y, m = divmod(total, 12)
        last = [31, 29 if (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
                31][m]
        t = t.replace(year=y, month=m + 1, day=min(t.day, last))
    t = t + dt.timedelta(days=sign * days)
    return from_datetime_obj(t)


# -- conversions to string (TO_STRING, CONCAT's inputs) --------------------------------------

def java_double(x: float) -> str:
    """Java's Double.toString, which ES|QL uses for doubles (TO_STRING(1.0) is "1.0"): plain
    decimal for 1e-3 <= |x| < 1e7, else d.dddE<n>; shortest round-trip digits (as Python's repr)."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "-0.0" if math.copysign(1, x) < 0 else "0.0"
    r = repr(x)
    if 1e-3 <= abs(x) < 1e7:
        return r if "." in r else r + ".0"
    sign, digits, exponent = decimal.Decimal(r).as_tuple()
    ds = "".join(map(str, digits)).rstrip("0") or "0"
    e = len(digits) + exponent - 1
    return ("-" if sign else "") + ds[0] + "." + (ds[1:] or "0") + "E" + str(e)


def to_keyword(v, t: str) -> str:
    if t in STRING:
        return v
    if t == "boolean":
        return "true" if v else "false"
    if t in ("integer", "long"):
        return str(v)
    if t == "double":
        return java_double(v)
    if t == "date":
        return format_date(v)
    if t == "ip":
        return str(v)
    raise Unsupported(f"TO_STRING of {t}")


# -- ordering --------------------------------------------------------------------------------

def comparable(a, ta: str, b, tb: str):
    """(a', b') ready for Python comparison, or Unsupported for types the evaluator doesn't model."""
    if ta in NUMERIC and tb in NUMERIC:
        return a, b
    if ta in STRING and tb in STRING:
        return a, b
    if ta == tb and ta in ("date", "boolean", "ip"):
        if ta == "ip" and a.version != b.version:
            return (a.version, int(a)), (b.version, int(b))
        return a, b
    raise Unsupported(f"comparison of {ta} with {tb}")
