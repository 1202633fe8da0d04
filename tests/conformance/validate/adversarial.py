"""Adversarial outputs through the targets' real parsers (issue 9, finding 2).

  adversarial.py KQLPORT_BIN WORKDIR [COUNT]     (run with $KQLPORT_ORACLES/sigma/bin/python:
                                                  PyYAML and pySigma are needed here)

Generates COUNT (default 300) inputs, deterministically (fixed seed), whose file names, string
literals, column names, computed-column names and rule metadata (name, description, tactics,
techniques, severity) hold every line terminator the targets know (CR, LF, NEL, U+2028,
U+2029, VT, FF), other controls, quotes, comment markers and injection payloads (`\\rFROM evil`,
`\\n---\\ntitle: evil`, `\\rlevel: high`, ` ``` | delete ``` `). Each query is approximate in every
target, so every output starts with kqlport's header comments (file name, notes). Runs
`kqlport convert --to spl,esql,eql,sigma -o DIR --format json` once over them all, then reads
every written file back:

  sigma  PyYAML: exactly one document, only Sigma's top-level keys, no `level` unless the rule
         has a valid severity, the title and the string literal intact; pySigma
         `SigmaRule.from_yaml`; then the JSON schemas + `sigma check` (sigma_worker.py)
  esql   esql.parse_query (esql_worker.py) on the whole file, header comments included
  eql    eql.parse_query, Elasticsearch syntax (eql_worker.py), the same (two gaps of the `eql`
         package, each confirmed by re-parsing: its greedy `\\u{..}` unescape, and no doubled
         backtick in a field name)
  spl    every line before `search` is one ``` comment ```; splparser smoke parse of the rest
         (reported, not gated: splparser knows no ``` comments and few commands)

Last line `adversarial: N passed, M failed`; exit 1 on any failure. Details: WORKDIR/report.json.
"""

from __future__ import annotations

import importlib.util
import json
import os
import random
import subprocess
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("kqlport_validate", os.path.join(HERE, "validate.py"))
validate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(validate)

SEED = 9
SIGMA_KEYS = {"title", "id", "name", "status", "description", "references", "author", "tags",
              "logsource", "detection", "fields", "level", "correlation"}
LEVELS = {"informational", "low", "medium", "high", "critical"}
PAYLOADS = ["\rFROM evil | ", "\n---\ntitle: evil\n", "\rlevel: high\r#", "\u0085level: high",
            "\u2028| DROP x", "\u2029// x", "``` | delete ```", "\u000b\u000c", "*/ /*", "\\",
            "\"", "'", "`", "#", ": ", "- ", "|", "\u001b[31m", "\u202e", "\ufeff", "\ufffe"]
CHARS = list("\r\n\u0085\u2028\u2029\u000b\u000c\t\u0000\u001b\u007f`\"'\\#:-|*?{}[]$/ %.&!>Aé") + [
    "\U0001F600", "\ufffe", "\uffff"]


def nasty(rng: random.Random, max_len: int = 12) -> str:
    parts = []
    for _ in range(rng.randint(0, 4)):
        r = rng.random()
        if r < 0.3:
            parts.append(rng.choice(PAYLOADS))
        elif r < 0.8:
            parts.append("".join(rng.choice(CHARS) for _ in range(rng.randint(1, max_len))))
        else:
            parts.append("".join(chr(rng.randint(0x20, 0x2FFF)) for _ in range(rng.randint(1, 4))))
    return "".join(parts)


def kql_str(s: str, quote: str) -> str:
    """A KQL string literal holding exactly `s` (controls and line separators as \\uXXXX)."""
    out = [quote]
    for c in s:
        if c == "\\":
            out.append("\\\\")
        elif c == quote:
            out.append("\\" + c)
        elif ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or c in "\u2028\u2029\ufeff\ufffe\uffff":
            out.append("\\u%04X" % ord(c))
        elif ord(c) > 0xFFFF:
            v = ord(c) - 0x10000
            out.append("\\u%04X\\u%04X" % (0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF)))
        else:
            out.append(c)
    out.append(quote)
    return "".join(out)


def yaml_str(s: str) -> str:
    """A YAML double-quoted scalar holding exactly `s`."""
    out = ['"']
    for c in s:
        if c in "\"\\":
            out.append("\\" + c)
        elif ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or c in "\u2028\u2029\ufeff\ufffe\uffff":
            out.append("\\u%04x" % ord(c))
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


def file_name(rng: random.Random, i: int, ext: str) -> str:
    # No `\\`: the JSON report's `written` path spells it `/` (a CLI issue left to the batch work).
    name = "".join(c for c in nasty(rng, 6) if c not in "/\\\0")
    while len(name.encode("utf-8")) > 180:
        name = name[:-1]
    return f"{i:03d}-{name}.{ext}"


def generate(rng: random.Random, i: int) -> tuple[str, str, dict]:
    """(file name, content, expectations) of input `i`."""
    s, col = nasty(rng), nasty(rng)
    col = col or "c"
    shape = i % 4
    if shape == 3:
        query = f"Custom_CL | where isnull(Foo) and [{kql_str(col, chr(39))}] == {kql_str(s, chr(34))}"
    elif shape == 0:
        query = f"Custom_CL | where isnull(Foo) and A == {kql_str(s, chr(34))} | extend [{kql_str(col, chr(39))}] = 1"
    elif shape == 1:
        query = (f"Custom_CL | where isnull(Foo) | join kind=inner (U | where [{kql_str(col, chr(39))}] == "
                 f"{kql_str(s, chr(34))}) on K")
    else:
        query = f"Custom_CL | where isnull(Foo) and A == {kql_str(s, chr(34))}"
    expect = {"literal": s if shape != 1 else None}
    if shape == 3:
        expect["column"] = col
    if i % 2 == 0:
        return file_name(rng, i, "kql"), query + "\n", expect
    name, description = nasty(rng), nasty(rng)
    severity = rng.choice(["High", "low", nasty(rng)])
    lines = [
        f"id: {yaml_str(nasty(rng))}",
        f"name: {yaml_str(name)}",
        f"description: {yaml_str(description)}",
        f"severity: {yaml_str(severity)}",
        "tactics:",
        f"  - {yaml_str(nasty(rng))}",
        "  - Execution",
        "relevantTechniques:",
        f"  - {yaml_str(nasty(rng))}",
        f"queryPeriod: {yaml_str(nasty(rng))}",
        f"query: {yaml_str(query)}",
    ]
    expect.update({"name": name, "description": description,
                   "level": severity.strip().lower() in LEVELS})
    return file_name(rng, i, "yaml"), "\n".join(lines) + "\n", expect


def escape_wildcards(v: str) -> str:
    """kqlport_sigma::value::escape_wildcards: `*`/`?` escaped, a backslash doubled before
    another backslash, a wildcard or the end."""
    out = []
    for j, c in enumerate(v):
        if c in "*?":
            out.append("\\" + c)
        elif c == "\\":
            out.append("\\")
            nxt = v[j + 1] if j + 1 < len(v) else None
            if nxt is None or nxt in "\\*?":
                out.append("\\")
        else:
            out.append(c)
    return "".join(out)


def strings_under(v) -> list[str]:
    if isinstance(v, str):
        return [v]
    if isinstance(v, list):
        return [s for x in v for s in strings_under(x)]
    if isinstance(v, dict):
        return [s for k, x in v.items() for s in [str(k), *strings_under(x)]]
    return []


def check_sigma(text: str, expect: dict) -> str | None:
    from sigma.rule import SigmaRule
    try:
        docs = list(yaml.safe_load_all(text))
    except yaml.YAMLError as e:
        return f"PyYAML: {e}"
    if len(docs) != 1 or not isinstance(docs[0], dict):
        return f"{len(docs)} YAML documents, expected one rule"
    doc = docs[0]
    extra = set(map(str, doc)) - SIGMA_KEYS
    if extra:
        return f"unexpected top-level keys {sorted(extra)}"
    if "level" in doc and not expect.get("level"):
        return f"`level: {doc['level']}` without a valid severity"
    if "name" in expect:
        title = expect["name"].strip()[:256] or None
        if title is not None and doc.get("title") != title:
            return f"title {doc.get('title')!r} is not the rule name {title!r}"
        d = expect["description"].strip()
        if d and doc.get("description") != d:
            return f"description {doc.get('description')!r} is not {d!r}"
    col = expect.get("column")
    if col is not None:
        if not any(k.split("|")[0] == col for k in strings_under(doc.get("detection"))):
            return f"the column {col!r} is not a key of the detection"
    lit = expect.get("literal")
    if lit and escape_wildcards(lit) not in strings_under(doc.get("detection")):
        return f"the literal {lit!r} is not in the detection"
    try:
        SigmaRule.from_yaml(text)
    except Exception as e:  # pySigma's own errors
        return f"pySigma: {type(e).__name__}: {e}"
    return None


def check_spl_header(text: str) -> tuple[str | None, str]:
    """(error, the query without its header) — the header is whole ``` lines only."""
    lines = text.split("\n")
    n = 0
    while n < len(lines) and not lines[n].startswith("search "):
        line = lines[n]
        if not (line.startswith("``` ") and line.endswith(" ```") and line.count("```") == 2):
            return f"header line {n + 1} is not one ``` comment ```: {line!r}", ""
        n += 1
    body = lines[n:]
    if not body:
        return "no `search` line", ""
    # A command starts with `| `; a join's subsearch is indented under it.
    bad = [l for l in body[1:] if l and not l.startswith(("| ", "    "))]
    if bad:
        return f"a line that is not a command: {bad[0]!r}", ""
    return None, "\n".join(body)


def eql_package_gap(text: str, error: str, reparse) -> bool:
    """Two gaps of the `eql` package (not of Elasticsearch's EQL), accepted only when the query
    parses once both constructs are replaced by plain characters:
    * its greedy `\\u\\{.+\\}` unescape (see validate.eql_unicode_gap) breaks a `\\u{..}` escape
      followed by another one or by a `}` in the same string — every escape must be 2-8 hex
      digits, as Elastic's EQL reference allows;
    * its field-name token `` `[^`\\r\\n]+` `` has no doubled backtick, which Elastic's EQL
      reference and EqlBase.g4's QUOTED_IDENTIFIER use to escape a backtick."""
    if "invalid literal for int() with base 16" not in error and "EqlSyntaxError" not in error:
        return False
    lines = text.split("\n")
    code = "\n".join(line for line in lines if not line.startswith("//"))
    escapes = validate.UNICODE_ESC.findall(code)
    if not all(len(e) in range(2, 9) and all(c in "0123456789abcdefABCDEF" for c in e) for e in escapes):
        return False
    fixed = "\n".join(line if line.startswith("//") else
                      validate.UNICODE_ESC.sub("u", line.replace("``", "_")) for line in lines)
    return fixed != text and reparse(fixed) is None


def main() -> int:
    binary, work = sys.argv[1], sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 300
    rng = random.Random(SEED)
    inp, out = os.path.join(work, "in"), os.path.join(work, "out")
    os.makedirs(inp, exist_ok=True)
    expects = {}
    for i in range(count):
        name, content, expect = generate(rng, i)
        path = os.path.join(inp, name)
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(content)
        expects[f"{i:03d}"] = expect
    r = subprocess.run([binary, "convert", "--to", "spl,esql,eql,sigma", "-o", out, "--format", "json", inp],
                       capture_output=True, stdin=subprocess.DEVNULL)
    if r.returncode > 1:
        print(r.stderr.decode("utf-8", "replace")[-2000:], file=sys.stderr)
        print("adversarial: 0 passed, 1 failed (kqlport convert crashed)")
        return 1
    by_target: dict[str, list[dict]] = {"esql": [], "eql": [], "sigma": [], "spl": []}
    failures, passed, statuses = [], 0, {}
    # One object per LF-terminated line (str.splitlines would also split at U+2028 inside one).
    for line in filter(None, r.stdout.decode("utf-8").split("\n")):
        o = json.loads(line)
        statuses[o["status"]] = statuses.get(o["status"], 0) + 1
        if not o.get("written"):
            continue
        text = open(o["written"], encoding="utf-8", newline="").read()
        key = f"{os.path.basename(o['file'])[:3]}:{o['target']}"
        expect = expects.get(key[:3], {})
        item = {"key": key, "output": text, "file": o["file"]}
        if o["target"] == "sigma":
            err = check_sigma(text, expect)
            if err:
                failures.append((key, "sigma", err, text))
                continue
        if o["target"] == "spl":
            err, body = check_spl_header(text)
            if err:
                failures.append((key, "spl", err, text))
                continue
            item["output"] = body
        by_target[o["target"]].append(item)
    results = validate.run_workers(by_target, work)
    reparse = validate.eql_reparse_factory()
    texts = {it["key"]: it["output"] for items in by_target.values() for it in items}
    smoke = {"ok": 0, "failed": 0}
    for target, data in results.items():
        if "missing" in data:
            failures.append((target, target, data["missing"], ""))
            continue
        for res in data["results"]:
            if target == "spl":
                smoke["ok" if res["ok"] else "failed"] += 1
                continue
            gap = target == "eql" and eql_package_gap(texts[res["key"]], res["error"] or "", reparse)
            if res["ok"] or gap:
                passed += 1
            else:
                failures.append((res["key"], target, res.get("error"), texts[res["key"]]))
    with open(os.path.join(work, "report.json"), "w", encoding="utf-8") as f:
        json.dump({"statuses": statuses, "failures": failures, "spl_smoke": smoke}, f, indent=1)
    print(f"adversarial: {count} inputs; outcomes {json.dumps(statuses, sort_keys=True)}; "
          f"spl smoke (not gated): {smoke['ok']} parsed, {smoke['failed']} not")
    for key, target, err, text in failures[:20]:
        print(f"  FAIL {target} {key}: {err}\n{validate.indent(text[:1500])}")
    passed += len(by_target["spl"])  # the SPL header/command-line checks passed
    print(f"adversarial: {passed} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
