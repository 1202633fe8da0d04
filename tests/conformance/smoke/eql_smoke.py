"""Smoke test: `eql` parses Elasticsearch-syntax EQL and executes it over JSON events.

Run with $KQLPORT_ORACLES/kql/bin/python. Prints one line: PASS/FAIL.

Reusable: `run_eql(query, docs)` returns the matching docs. Events must be NESTED ECS
objects ({"process": {"name": ...}}; a flat "process.name" key is not seen) and the
engine takes an event's category from the key `event_type`, so `run_eql` copies
`event.category` there.
"""

import sys

import eql
from eql.engine import PythonEngine
from eql.parser import elasticsearch_syntax, parse_query


def parse_es(query: str):
    """Parse with Elasticsearch's EQL dialect (`:`, `like~`, `in~`, `?field`, no `==` wildcards)."""
    with elasticsearch_syntax:
        return parse_query(query)


def run_eql(query: str, docs: list) -> list:
    ast = parse_es(query)
    out = []
    engine = PythonEngine({"flatten": True})  # flatten: one callback per matching event
    engine.add_output_hook(lambda event: out.append(event.data))
    engine.add_query(ast)
    events = []
    for d in docs:
        d = dict(d)
        cat = d.get("event", {}).get("category")
        if "event_type" not in d and cat is not None:
            d["event_type"] = cat[0] if isinstance(cat, list) else cat
        events.append(d)
    engine.stream_events(events)  # wraps dicts with eql.Event.from_data and finalizes
    return out


DOCS = [
    {"rid": 1, "event": {"category": "network"}, "process": {"name": "tor.exe"}, "destination": {"port": 9001}},
    {"rid": 2, "event": {"category": "network"}, "process": {"name": "TOR.EXE"}, "destination": {"port": 443}},
    {"rid": 3, "event": {"category": "network"}, "process": {"name": "Tor.exe"}},  # no destination.port
    {"rid": 4, "event": {"category": "network"}, "process": {"name": "tor.exe"}, "destination": {"port": None}},
    {"rid": 5, "event": {"category": "network"}, "process": {"name": "tortoise.exe"}, "destination": {"port": 80}},
    {"rid": 6, "event": {"category": "process"}, "process": {"name": "tor.exe"}, "destination": {"port": 80}},
    {"rid": 7, "event": {"category": "network"}, "destination": {"port": 80}},  # no process.name
]
QUERY = 'network where process.name in~ ("tor.exe") and (destination.port != 443 or destination.port == null)'
EXPECTED = [1, 3, 4]


def main() -> int:
    ver = getattr(eql, "__version__", "?")
    got = sorted(d["rid"] for d in run_eql(QUERY, DOCS))
    if got != EXPECTED:
        print(f"FAIL eql {ver}: {QUERY} -> rids {got}, expected {EXPECTED}")
        return 1
    # Caveats the harness relies on; if one changes, the README's notes need updating.
    plain = sorted(d["rid"] for d in run_eql("network where process.name in~ (\"tor.exe\") and destination.port != 443", DOCS))
    if plain != [1]:
        print(f"FAIL eql {ver}: expected `!=` to drop events without the field (rids [1]), got {plain}")
        return 1
    folded = sorted(d["rid"] for d in run_eql('network where process.name == "TOR.exe"', DOCS))
    if folded != [1, 2, 3, 4]:
        print(f"FAIL eql {ver}: expected `==` to fold case in eql's engine (rids [1,2,3,4]), got {folded}")
        return 1
    try:
        parse_es("network where process.name = \"x\"")  # `=` is not Elasticsearch EQL
        print(f"FAIL eql {ver}: a malformed query parsed")
        return 1
    except eql.EqlError:
        pass
    print(f"PASS eql: eql {ver} ran `{QUERY}` -> rids {got}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
