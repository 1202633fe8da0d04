#!/usr/bin/env python3
"""Prefilter + where vs where alone, on the reference SPL evaluator (issue 16).

stdin: JSON `[{"case": NAME, "full": SPL, "alone": SPL}]`, where `alone` is the same translation
without the base search's indexed prefilters (`Spl::translate_without_prefilters`); each case's
events are read from `../cases/NAME/events.json`. stdout: JSON `{NAME: verdict}` with verdict
`same`, `differs: …` (the prefilter changed the rows: a bug) or `unsupported: …` (the evaluator
refuses a construct of either query; nothing compared). Called by
`backends/spl/tests/prefilter_rows.rs`.
"""

from __future__ import annotations

import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "engines"))

from spl import SplError, Unsupported, run_spl  # noqa: E402

# The search's now(), as the case runner takes it (runner.py: the current time); both queries
# of a case run with the same value.
NOW = time.time()


def ids(query: str, events: dict) -> list:
    return sorted(str(r.get("__id")) for r in run_spl(query, events, NOW).rows)


def main() -> int:
    tasks = json.load(sys.stdin)
    out = {}
    for t in tasks:
        with open(os.path.join(HERE, "..", "cases", t["case"], "events.json"), encoding="utf-8") as f:
            events = json.load(f)
        try:
            full, alone = ids(t["full"], events), ids(t["alone"], events)
        except (Unsupported, SplError) as e:
            out[t["case"]] = f"unsupported: {e}"
            continue
        out[t["case"]] = "same" if full == alone else f"differs: with prefilters {full}, without {alone}"
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
