"""EQL worker (run with $KQLPORT_ORACLES/kql/bin/python): parse each query with eql's
Elasticsearch dialect and execute it with eql's PythonEngine over the case's events.

stdin:  JSON list of {"case", "query", "events": {table: [event, ...]}}
stdout: JSON list of {"case", "ok": bool, "error": str|None, "ids": [_id, ...]|None}

Adjustment to bring the engine closer to Elasticsearch (documented in README.md):
eql 1.0.1's `regex`/`match` uses Python `re.match` (anchored at the start only), while
Elasticsearch's regex is a Lucene regexp that must match the WHOLE value; we patch it to
`re.fullmatch` on each alternative. Case folding is NOT patched (the engine folds case for
every operator); the runner downgrades case-sensitive checks instead.
"""
import json
import re
import sys

import eql
from eql import functions as F
from eql.engine import PythonEngine
from eql.parser import elasticsearch_syntax, parse_query


def _match_callback(cls, source_ast, *regex_literals):
    regs = [reg.value for reg in regex_literals]
    compiled = [re.compile(r, F.regex_flags()) for r in regs]

    def callback(source, *_):
        if F.is_string(source):
            return any(c.fullmatch(source) is not None for c in compiled)

    return callback


F.Match.get_callback = classmethod(_match_callback)


def nest(event: dict) -> dict:
    """Flat dotted keys ("a.b": 1) become nested dicts; nested values are kept."""
    out: dict = {}
    for k, v in event.items():
        parts = k.split(".")
        cur = out
        for p in parts[:-1]:
            cur = cur.setdefault(p, {})
        cur[parts[-1]] = v
    return out


def run(query: str, events: dict):
    with elasticsearch_syntax:
        ast = parse_query(query)
    hits = []
    engine = PythonEngine({"flatten": True})
    engine.add_output_hook(lambda ev: hits.append(ev.data))
    engine.add_query(ast)
    docs = []
    for table, evs in events.items():
        for e in evs:
            d = nest(e)
            d["event_type"] = table
            docs.append(d)
    engine.stream_events(docs)
    return [h["_id"] for h in hits]


def main() -> int:
    tasks = json.load(sys.stdin)
    out = []
    for t in tasks:
        r = {"case": t["case"], "ok": False, "error": None, "ids": None}
        try:
            with elasticsearch_syntax:
                parse_query(t["query"])
        except eql.EqlError as e:
            r["error"] = f"{type(e).__name__}: {e}"
            out.append(r)
            continue
        r["ok"] = True
        try:
            r["ids"] = run(t["query"], t["events"])
        except Exception as e:  # noqa: BLE001 - an engine failure is reported, not fatal
            r["engine_error"] = f"{type(e).__name__}: {e}"
        out.append(r)
    json.dump(out, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
