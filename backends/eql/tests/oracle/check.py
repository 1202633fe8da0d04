"""Checks the EQL emitted by the kqlport-eql unit tests with the reference `eql` package.

Usage: KQLPORT_EQL_DUMP=/tmp/eql-dump cargo test -p kqlport-eql
       python check.py /tmp/eql-dump

1. Parses every dumped `*.eql` query with the Elasticsearch syntax of `eql` (`eql.parse_query`
   under `eql.parser.elasticsearch_syntax`).
2. Runs the row cases of `cases.json` (predicate, events, expected KQL ids) with `PythonEngine`.

Caveats of the reference engine, and what this script does about them:
* It folds case for every operator, so its rows prove only case-insensitive operators (the
  cases use only those).
* Its `regex` is Python `re.match` (anchored at the start only; `.` stops at newlines). Lucene,
  which Elasticsearch uses, matches the whole value and `.` matches any character: `match` is
  patched here to `re.fullmatch` with DOTALL per pattern, which is Lucene's semantics for the
  pattern subset this backend emits (escaped punctuation, classes, groups, `| * + ? {n,m}`).
"""

import json
import pathlib
import re
import sys

import eql
from eql import functions
from eql.parser import elasticsearch_syntax
from eql.utils import is_string


def lucene_like_match(cls, source_ast, *regex_literals):
    compiled = [re.compile(r.value, re.DOTALL | re.IGNORECASE) for r in regex_literals]

    def callback(source, *_):
        if is_string(source):
            return any(c.fullmatch(source) for c in compiled)
        return None

    return callback


functions.Match.get_callback = classmethod(lucene_like_match)


def main(dump_dir):
    dump = pathlib.Path(dump_dir)
    parsed, failed = 0, []
    for path in sorted(dump.glob("*.eql")):
        text = path.read_text()
        try:
            with elasticsearch_syntax:
                eql.parse_query(text)
            parsed += 1
        except Exception as e:  # noqa: BLE001 - report every parse failure
            failed.append((path.name, text, str(e).splitlines()[0:4]))
    print(f"parsed {parsed} / {parsed + len(failed)} queries")
    for name, text, err in failed:
        print(f"  PARSE FAIL {name}: {text.strip()}\n    {err}")

    cases = json.loads((dump / "cases.json").read_text())
    ok, bad = 0, []
    for case in cases:
        events = []
        for ev in case["events"]:
            data = dict(ev)
            data["event_type"] = "T"
            events.append(eql.Event.from_data(data))
        with elasticsearch_syntax:
            query = eql.parse_query(case["query"])
        engine = eql.PythonEngine()
        got = []
        engine.add_output_hook(lambda out: got.extend(ev.data["id"] for ev in getattr(out, "events", [out])))
        engine.add_query(query)
        engine.stream_events(events)
        got = sorted(got)
        if got == sorted(case["expect"]):
            ok += 1
        else:
            bad.append((case["name"], case["query"].strip(), case["expect"], got))
    print(f"rows: {ok} / {len(cases)} cases return the KQL rows")
    for name, q, exp, got in bad:
        print(f"  ROWS DIFFER {name}: {q}\n    expected {exp}, got {got}")
    return 0 if not failed and not bad else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
