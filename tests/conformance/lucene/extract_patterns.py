"""Every Lucene pattern kqlport emitted, for the determinisation check (RegexLimits.java).

  extract_patterns.py CONVERT_JSONL > patterns.tsv        (any Python >= 3.8; stdlib only)

CONVERT_JSONL is `kqlport convert --to esql,eql --format json ...` output. Each ES|QL and EQL
output is tokenised (string literals, quoted identifiers and comments skipped as such) and the
string literal after each pattern operator is decoded:

  ES|QL  `RLIKE "p"`                       regexp       (Lucene RegExp, flags ALL)
  ES|QL  `LIKE "p"`                        wildcard     (Lucene WildcardQuery syntax)
  EQL    `regex "p"`, `regex ("p", …)`     regexp
  EQL    `regex~ "p"`, `regex~ (…)`        regexp_ci    (flags ALL + ASCII_CASE_INSENSITIVE)
  EQL    `like "p"`, `like~`, `:`          wildcard     (`*`/`?`; case folding adds no state)

One line per pattern: `<file>#<index>:<target>\t<kind>\t<pattern>`, the pattern with `\\`, tab,
newline and carriage return written as `\\\\`, `\\t`, `\\n`, `\\r`.
"""

from __future__ import annotations

import json
import sys

ESCAPES = {"\\": "\\", '"': '"', "n": "\n", "r": "\r", "t": "\t"}


def tokens(text: str):
    """(kind, value) tokens: ("str", decoded) or ("word", text) or ("punct", char)."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j + 1
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
        elif text.startswith('"""', i):
            j = text.find('"""', i + 3)
            j = n if j < 0 else j
            yield ("str", text[i + 3:j])
            i = j + 3
        elif c == '"':
            out, i = [], i + 1
            while i < n and text[i] != '"':
                if text[i] == "\\" and i + 1 < n:
                    e = text[i + 1]
                    if e == "u" and i + 2 < n and text[i + 2] == "{":
                        j = text.index("}", i)
                        out.append(chr(int(text[i + 3:j], 16)))
                        i = j + 1
                        continue
                    out.append(ESCAPES.get(e, e))
                    i += 2
                else:
                    out.append(text[i])
                    i += 1
            yield ("str", "".join(out))
            i += 1
        elif c == "`":
            j = i + 1
            while j < n:
                if text[j] == "`" and text[j + 1:j + 2] == "`":
                    j += 2
                elif text[j] == "`":
                    break
                else:
                    j += 1
            yield ("word", text[i:j + 1])
            i = j + 1
        elif c.isalnum() or c == "_":
            j = i
            while j < n and (text[j].isalnum() or text[j] in "_~"):
                j += 1
            yield ("word", text[i:j])
            i = j
        else:
            yield ("punct", c)
            i += 1


ESQL_OPS = {"RLIKE": "regexp", "LIKE": "wildcard"}
EQL_OPS = {"regex": "regexp", "regex~": "regexp_ci", "like": "wildcard", "like~": "wildcard", ":": "wildcard"}


def patterns(target: str, text: str):
    ops = ESQL_OPS if target == "esql" else EQL_OPS
    pending = None  # the kind of the operator just read
    in_list = None  # the kind of an open `op (` list
    for kind, value in tokens(text):
        key = value.upper() if target == "esql" and kind == "word" else value
        if in_list is not None:
            if kind == "str":
                yield in_list, value
            elif kind == "punct" and value == ")":
                in_list = None
            continue
        if kind in ("word", "punct") and key in ops:
            pending = ops[key]
            continue
        if pending is not None:
            if kind == "str":
                yield pending, value
            elif kind == "punct" and value == "(" and target == "eql":
                in_list = pending
        pending = None


def escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def main() -> int:
    seen = set()
    with open(sys.argv[1], encoding="utf-8") as f:
        for line in f:
            o = json.loads(line)
            if o.get("target") not in ("esql", "eql") or not o.get("output"):
                continue
            where = f"{o['file']}#{o['index']}:{o['target']}"
            for kind, pattern in patterns(o["target"], o["output"]):
                if (kind, pattern) in seen:
                    continue
                seen.add((kind, pattern))
                sys.stdout.write(f"{escape(where)}\t{kind}\t{escape(pattern)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
