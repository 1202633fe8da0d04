# -*- coding: utf-8 -*-
"""Parse SPL with splparser (Python 2.7: run with $KQLPORT_ORACLES/spl/bin/python).

stdin:  a JSON string (one query) or a JSON array of strings
stdout: {"ok": true, "tree": {...}} / {"ok": false, "error": "..."} (or an array of those)
  tree node = {"role": "COMMAND"|"FUNCTION"|"FIELD"|..., "raw": "stats", "children": [...]}
Exit status: 0 when every query parsed, 1 otherwise, 2 on bad input.

splparser (2014) knows ~66 of SPL's commands; any other command word parses without error
as a USER_DEFINED_COMMAND, so check "commands": one entry per stage, the command name, or
"?name" for a command splparser does not know (e.g. "?statz"), or None for an empty stage.
"""
from __future__ import print_function

import json
import sys

import splparser


def to_dict(node):
    return {"role": node.role, "raw": node.raw, "children": [to_dict(c) for c in node.children]}


def commands(tree):
    """The command of each stage, in order: "stats"; "?statz" if unknown to splparser; None if empty."""
    out = []
    for stage in tree.get("children", []):
        cmd = [c["raw"] if c["role"] == "COMMAND" else "?" + c["raw"]
               for c in stage.get("children", []) if c["role"] in ("COMMAND", "USER_DEFINED_COMMAND")]
        out.append(cmd[0] if cmd else None)
    return out


def parse(query):
    try:
        tree = splparser.parse(query)
    except Exception as e:  # splparser raises its own SPLSyntaxError family
        return {"ok": False, "error": "%s: %s" % (type(e).__name__, str(e).split("\n")[0])}
    if tree is None:
        return {"ok": False, "error": "no parse tree"}
    d = to_dict(tree)
    return {"ok": True, "tree": d, "commands": commands(d)}


def main():
    try:
        req = json.loads(sys.stdin.read())
    except ValueError as e:
        sys.stderr.write("spl_parse: stdin is not JSON: %s\n" % e)
        return 2
    out = [parse(q) for q in req] if isinstance(req, list) else parse(req)
    print(json.dumps(out))
    results = out if isinstance(out, list) else [out]
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
