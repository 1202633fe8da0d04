# -*- coding: utf-8 -*-
"""Smoke test: splparser parses an SPL pipeline (run with $KQLPORT_ORACLES/spl/bin/python, Python 2.7).
Prints one line: PASS/FAIL."""
from __future__ import print_function

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import ply  # noqa: E402
from spl_parse import parse  # noqa: E402

QUERY = "search index=main sourcetype=x | stats dc(host) as c by md5 | sort 0 -c"


def find(node, role, raw):
    if node["role"] == role and node["raw"] == raw:
        return node
    for c in node["children"]:
        hit = find(c, role, raw)
        if hit:
            return hit
    return None


def main():
    r = parse(QUERY)
    problems = []
    if not r["ok"]:
        problems.append("did not parse: %s" % r["error"])
    else:
        tree = r["tree"]
        if r["commands"] != ["search", "stats", "sort"]:
            problems.append("commands %s" % r["commands"])
        dc = find(tree, "FUNCTION", "distinct_count")
        if not dc or not find(dc, "DEFAULT_FIELD", "host"):
            problems.append("no distinct_count(host)")
        if not find(tree, "GROUPING_FIELD", "md5"):
            problems.append("no group-by md5")
        if not find(tree, "FUNCTION", "descending"):
            problems.append("no descending sort")
    bad = parse("search a=b | | sort")
    if bad["ok"]:
        problems.append("a malformed pipeline parsed")
    if problems:
        print("FAIL spl: splparser: %s" % "; ".join(problems))
        return 1
    print("PASS spl: splparser 0.2.0 (ply %s, Python %d.%d) parsed `%s` -> stages %s; `search a=b | | sort` rejected"
          % (ply.__version__, sys.version_info[0], sys.version_info[1], QUERY, r["commands"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
