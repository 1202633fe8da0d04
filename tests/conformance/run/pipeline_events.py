"""A case's Sentinel-named events as a field-mapping pipeline says the target stores them.

Reads the pipeline's own YAML (src/pipeline/builtin/NAME.yaml, the file compiled into kqlport)
and applies its map to the events, so that the mapped translation can be run on the renamed
events and compared with the KQL on the original ones:

- each event of table T goes to the target's name for T (the EQL event category, the Sigma
  logsource service, else `logs`, the Splunk sourcetype, as the runner's engines read them; a
  table Splunk finds by `source` keeps its name as sourcetype and gets the `source` field);
- the table's `where` conditions are set on each event (their first value);
- a column with a rule is renamed (`Column.path` rules take the value at that path of a dynamic
  column, or of a column holding JSON text); a `values` vocabulary maps the value, `lowercase`
  lower-cases it, a value outside the vocabulary is kept (as the translation keeps it);
- a `basename` rule (Sigma's `Image` standing for `FileName`) sets its field to a path ending in
  the value when no other rule set it;
- a column without a rule keeps its name (as the translation keeps it).
"""

from __future__ import annotations

import copy
import json
import os

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
BUILTIN = os.path.join(HERE, "..", "..", "..", "src", "pipeline", "builtin")


def load(name: str) -> dict:
    with open(os.path.join(BUILTIN, f"{name}.yaml")) as f:
        return yaml.safe_load(f)


def _rule(spec) -> dict:
    return {"field": spec} if isinstance(spec, str) else dict(spec)


def _map_value(rule: dict, v):
    values = rule.get("values")
    if values is not None and isinstance(v, (str, int)) and not isinstance(v, bool):
        for k, to in values.items():
            if str(k) == str(v):
                return str(to) if isinstance(v, str) else to
    if rule.get("lowercase") and isinstance(v, str):
        return v.lower()
    return v


def _at(value, path: list[str]):
    """The value at `path` in a dynamic value (a dict, or JSON text); (found, value)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return False, None
    for p in path:
        if not isinstance(value, dict) or p not in value:
            return False, None
        value = value[p]
    return True, value


def table_key(pipeline: dict, table: str, target: str) -> str:
    t = (pipeline.get("tables") or {}).get(table)
    if t is None:
        return table
    if target == "eql":
        return t.get("eql_category") or table
    if target == "spl":
        return (t.get("splunk") or {}).get("sourcetype") or table
    if target == "sigma":
        ls = t.get("logsource")
        if ls is None:
            return table
        return ls.get("service") or "logs"
    return table


def rename_event(pipeline: dict, table: str, event: dict) -> dict:
    t = (pipeline.get("tables") or {}).get(table)
    if t is None:
        return copy.deepcopy(event)
    rules = {k: _rule(v) for k, v in (t.get("fields") or {}).items()}
    out: dict = {}
    basenames = []
    for col, value in event.items():
        if col == "_id":
            out[col] = value
            continue
        plain = rules.get(col)
        paths = [(k.split(".")[1:], r) for k, r in rules.items() if k.split(".")[0] == col and "." in k]
        if plain is not None and plain.get("basename"):
            basenames.append((plain, value))
            continue
        if plain is not None:
            out[plain["field"]] = _map_value(plain, value)
            continue
        if paths:
            rest = copy.deepcopy(value)
            for path, r in paths:
                found, v = _at(value, path)
                if found:
                    out[r["field"]] = _map_value(r, v)
            out[col] = rest
            continue
        out[col] = value
    for r, value in basenames:
        if r["field"] not in out and value is not None:
            # an empty name is an empty path
            out[r["field"]] = ("C:\\Folder\\" + value if value else "") if isinstance(value, str) else value
    for field, values in (t.get("where") or {}).items():
        out[field] = values[0] if isinstance(values, list) else values
    return out


def events_for(pipeline: dict, events: dict, target: str) -> dict:
    """{table: [event]} -> {target table key: [renamed event]}."""
    out: dict = {}
    for table, evs in events.items():
        key = table_key(pipeline, table, target)
        renamed = [rename_event(pipeline, table, e) for e in evs]
        # SPL: a table the pipeline finds by `source` (not its sourcetype) carries that field.
        source = (((pipeline.get("tables") or {}).get(table) or {}).get("splunk") or {}).get("source")
        if target == "spl" and source:
            for e in renamed:
                e["source"] = source
        out.setdefault(key, []).extend(renamed)
    return out
