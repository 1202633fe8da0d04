"""A case's events as Splunk would hold them after indexing JSON events (DOCS.md keys in []).

One event per JSON object, sourcetype = the Sentinel table name, index "main":
- `_raw` is the event's JSON text (without the case's hidden `_id`) — what json_extract(_raw, …)
  and spath read [json][spath].
- `_time` is the event timestamp in UNIX time [time-modifiers] ("its timestamp is saved as the
  default field _time … in UNIX time notation"), taken from the table's time column
  (TimeGenerated, else Timestamp).
- Search-time JSON field extraction names only leaves [spath]: `X.a.b` for nested objects, `X{}`
  for the values of an array, `X{}.a` for a key of objects inside an array. An object or array
  itself is not a field — `X` is absent when X holds an object (issue 11: "object fields as a
  cluster sees them"). A string column holding JSON text stays one text value.
- Values are text: numbers as their JSON text, Booleans as true/false. A JSON null is treated
  as absent, like a missing key (the case format defines the two as the same data; Splunk's
  pages do not document null extraction). An empty string is a field holding "".
"""

from __future__ import annotations

import calendar
import datetime as dt
import json

from .values import FieldText, Unsupported, norm_mv

TIME_COLUMNS = ("TimeGenerated", "Timestamp")

# A case's lookup tables (a Sentinel watchlist the user loaded into Splunk as a lookup of the
# same name): `"watchlist:<name>": [row, ...]` beside the tables, never indexed as events.
LOOKUP_PREFIX = "watchlist:"


def leaf_text(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return v
    return json.dumps(v)


def extract(prefix: str, v, out: dict):
    """JSON field extraction: leaves only; arrays add `{}`; multiple values become multivalue."""
    if v is None:
        return
    if isinstance(v, dict):
        for k, x in v.items():
            extract(f"{prefix}.{k}" if prefix else k, x, out)
        return
    if isinstance(v, list):
        for x in v:
            extract(prefix + "{}", x, out)
        return
    out.setdefault(prefix, []).append(FieldText(leaf_text(v)))


def parse_time(s) -> float | None:
    if not isinstance(s, str) or not s:
        return None
    try:
        d = dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        raise Unsupported(f"event timestamp {s!r} is not ISO 8601")
    if d.tzinfo is None:
        d = d.replace(tzinfo=dt.timezone.utc)
    return calendar.timegm(d.utctimetuple()) + d.microsecond / 1e6


def load(events: dict[str, list[dict]]) -> list[dict]:
    """Every table's events, in the order given, as Splunk events. Each keeps `__id` (the case
    row identity, never a Splunk field) so results can be traced back."""
    out = []
    for table, evs in events.items():
        if table.startswith(LOOKUP_PREFIX):
            continue
        for e in evs:
            body = {k: v for k, v in e.items() if k != "_id"}
            fields: dict = {}
            extract("", body, fields)
            ev = {k: norm_mv(v) for k, v in fields.items()}
            ev["_raw"] = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
            t = None
            for col in TIME_COLUMNS:
                if col in body:
                    t = parse_time(body[col])
                    break
            if t is None:
                raise Unsupported(f"event {e.get('_id')} of {table} has no timestamp (_time)")
            ev["_time"] = t
            ev["sourcetype"] = table
            ev["index"] = "main"
            ev["__id"] = e.get("_id")
            out.append(ev)
    return out


def lookups(events: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """The case's lookup tables by name: each row's values as text (a lookup file is CSV
    [inputlookup]); `_id` kept as nothing (lookup rows are not events)."""
    out = {}
    for key, rows in events.items():
        if key.startswith(LOOKUP_PREFIX):
            out[key[len(LOOKUP_PREFIX):]] = [
                {k: leaf_text(v) for k, v in r.items() if k != "_id" and v is not None} for r in rows
            ]
    return out
