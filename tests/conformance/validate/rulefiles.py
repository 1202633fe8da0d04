"""Validate kqlport's deployable rule files with the target's own reader.

  rulefiles.py WORKDIR...     (run in the `rulefile` oracle venv)

Each WORKDIR holds three `kqlport convert ... --report json` outputs of the same inputs:
  query.jsonl     --to spl,esql,eql                  (the translations alone)
  splunk.jsonl    --to spl --format splunk           (savedsearches.conf stanzas)
  elastic.jsonl   --to esql,eql --format elastic     (Elastic detection rules, NDJSON lines)

Splunk: every stanza is read by Splunk's add-on factory .conf parser
(addonfactory_splunk_conf_parser_lib.TABConfigParser, the reader Splunk's UCC tooling uses for
savedsearches.conf): exactly one stanza, no key outside it, only the keys kqlport writes, and the
`search` it reads back equal to the translation (each line as written, lines joined by the
parser's continuation). Then all stanzas are read again as one savedsearches.conf: as many
stanzas as rules (none merged or injected).

Elastic: every line is one JSON object valid against schemas/elastic-detection-rule.schema.json
(written from Elastic's documented rule API; see the schema's description), whose `query` is the
translation byte for byte (so the ES|QL and EQL parsers' verdicts on the translations hold for
the rule files), with rule_id unique over the batch.

Prints `rulefiles splunk: N checked, M failed`, the same for elastic, each failure, and last
`N passed, M failed`. Exit 1 on any failure.
"""

from __future__ import annotations

import json
import os
import re
import sys

import jsonschema
from addonfactory_splunk_conf_parser_lib import TABConfigParser

HERE = os.path.dirname(os.path.abspath(__file__))
SPLUNK_KEYS = {
    "description", "search", "enableSched", "cron_schedule", "dispatch.earliest_time",
    "dispatch.latest_time", "counttype", "relation", "quantity", "alert.severity", "alert.track",
    "alert.suppress", "alert.suppress.period", "action.correlationsearch.enabled",
    "action.correlationsearch.label", "action.correlationsearch.annotations", "action.notable",
    "action.notable.param.rule_title", "action.notable.param.rule_description",
    "action.notable.param.severity", "action.risk", "action.risk.param._risk",
}
JSON_KEYS = {"action.correlationsearch.annotations", "action.risk.param._risk"}


def load(path: str) -> list[dict]:
    # One object per LF-terminated line (a raw U+2028 may sit inside one).
    with open(path, encoding="utf-8", newline="") as f:
        return [json.loads(line) for line in f.read().split("\n") if line.strip()]


def key(o: dict) -> tuple:
    return (o["file"], o.get("index"), o["target"])


def sentinel_id(path: str) -> str | None:
    """The top-level `id:` of a Sentinel rule file as kqlport seeds its rule_id with it (trimmed,
    ASCII case-folded: a GUID in any spelling is one rule). Reads a plain, single- or
    double-quoted scalar (the adversarial generator's double-quoted ones are JSON-compatible)."""
    try:
        with open(path, encoding="utf-8-sig", errors="replace", newline="") as f:
            m = re.search(r"^id:[ \t]*(.*)$", f.read(), re.M)
    except OSError:
        return None
    if not m:
        return None
    raw = m.group(1).rstrip("\r")
    if raw.startswith('"'):
        try:
            value = json.loads(raw)
        except ValueError:
            return None
    elif raw.startswith("'") and raw.endswith("'"):
        value = raw[1:-1].replace("''", "'")
    else:
        value = raw.split(" #")[0]
    value = value.strip(" \t\n\r\x0b\x0c\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
                        "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
    lowered = "".join(c.lower() if c.isascii() else c for c in value)
    return lowered or None


def parse_conf(text: str) -> TABConfigParser:
    p = TABConfigParser()
    p.read_string(text)
    return p


def expected_search(spl: str) -> str:
    """The search as this parser reads it back: kqlport writes each SPL line (trimmed where SPL
    ignores the whitespace) and ends every line but the last with a backslash; the parser joins
    the continued lines with a line break and keeps each continuation's backslash in the value
    (so that it can write the file back unchanged; Splunk drops it). The first line's ` ;...` tail
    is a comment to this parser (RawConfigParser's inline-comment rule, which Splunk does not
    have): cut it the same way."""
    lines = [line.strip() for line in spl.split("\n") if line.strip()]
    if lines:
        first = lines[0]
        pos = first.find(";")
        if pos > 0 and first[pos - 1].isspace():
            lines[0] = first[:pos].strip()
    return "\\\n".join(lines)


def check_splunk(outcomes: list[dict], queries: dict, failures: list) -> tuple[int, int]:
    checked = failed = 0
    stanzas = []
    for o in outcomes:
        if not o.get("output"):
            continue
        checked += 1
        text = o["output"]
        stanzas.append(text)
        problems = []
        try:
            p = parse_conf(text)
        except Exception as e:  # the parser's own error
            problems.append(f"parser error: {e}")
            p = None
        if p is not None:
            if p.fields_outside_stanza:
                problems.append(f"keys outside a stanza: {p.fields_outside_stanza!r}")
            if len(p.sections()) != 1:
                problems.append(f"{len(p.sections())} stanzas, expected 1: {p.sections()!r}")
            else:
                name = p.sections()[0]
                if "\n" in name or "[" in name or "]" in name:
                    problems.append(f"stanza name not one clean line: {name!r}")
                keys = {k for k in p.options(name) if not k.startswith("__")}
                extra = keys - SPLUNK_KEYS
                if extra:
                    problems.append(f"unexpected keys: {sorted(extra)}")
                for k in ("search", "description", "counttype", "relation", "quantity", "enableSched"):
                    if k not in keys:
                        problems.append(f"missing key {k}")
                for k in JSON_KEYS & keys:
                    try:
                        json.loads(p.get(name, k))
                    except ValueError as e:
                        problems.append(f"{k} is not JSON: {e}")
                q = queries.get((o["file"], o.get("index"), "spl"))
                if q is None:
                    problems.append("no query-format translation to compare with")
                elif "search" in keys and p.get(name, "search") != expected_search(q):
                    problems.append(
                        "search read back differs from the translation:\n"
                        f"--- read back\n{p.get(name, 'search')}\n--- translation\n{q}"
                    )
        if problems:
            failed += 1
            failures.append(("splunk", o["file"], o.get("index"), problems, text))
    # All stanzas as one savedsearches.conf: nothing merges into or out of another stanza.
    if stanzas:
        checked += 1  # the joined file is one more check
        whole = "\n".join(stanzas)
        p = parse_conf(whole)
        names = [s for s in stanzas]
        problems = []
        if p.fields_outside_stanza:
            problems.append("keys outside stanzas in the joined file")
        expected = len({parse_conf(s).sections()[0] for s in names if parse_conf(s).sections()})
        if len(p.sections()) != expected:
            problems.append(f"joined file has {len(p.sections())} stanzas, expected {expected}")
        if problems:
            failed += 1
            failures.append(("splunk", "<all>", None, problems, ""))
    return checked, failed


def check_elastic(outcomes: list[dict], queries: dict, failures: list) -> tuple[int, int]:
    with open(os.path.join(HERE, "schemas", "elastic-detection-rule.schema.json"), encoding="utf-8") as f:
        schema = json.load(f)
    validator = jsonschema.Draft202012Validator(schema)
    checked = failed = 0
    ids: dict[str, tuple] = {}
    shared_ids: list = []
    for o in outcomes:
        if not o.get("output"):
            continue
        checked += 1
        text = o["output"]
        problems = []
        if not text.endswith("\n") or "\n" in text[:-1]:
            problems.append("not exactly one NDJSON line")
        try:
            rule = json.loads(text)
        except ValueError as e:
            problems.append(f"not JSON: {e}")
            rule = None
        if isinstance(rule, dict):
            for err in validator.iter_errors(rule):
                problems.append(f"schema: {'/'.join(map(str, err.absolute_path))}: {err.message}")
            q = queries.get(key(o))
            if q is None:
                problems.append("no query-format translation to compare with")
            elif rule.get("query") != q:
                problems.append("query differs from the translation")
            if rule.get("type") != o["target"]:
                problems.append(f"type {rule.get('type')!r} for target {o['target']}")
            rid = rule.get("rule_id")
            if rid in ids and ids[rid] != key(o):
                # The same Sentinel id in two files (a rule copied between solutions) is meant
                # to give the same rule_id: importing either updates one Elastic rule.
                other = ids[rid]
                if sentinel_id(o["file"]) and sentinel_id(o["file"]) == sentinel_id(other[0]):
                    shared_ids.append((rid, o["file"], other[0]))
                else:
                    problems.append(f"rule_id {rid} also used by {other}")
            ids[rid] = key(o)
        if problems:
            failed += 1
            failures.append(("elastic", o["file"], o.get("index"), problems, text))
    if shared_ids:
        print(f"rulefiles elastic: {len(shared_ids)} rule_ids shared by files with the same Sentinel id (expected)")
    return checked, failed


def main() -> int:
    failures: list = []
    s_checked = s_failed = e_checked = e_failed = 0
    for work in sys.argv[1:]:
        queries = {key(o): o["output"] for o in load(os.path.join(work, "query.jsonl")) if o.get("output")}
        splunk = load(os.path.join(work, "splunk.jsonl"))
        refused = [o for o in splunk if any(n.get("code") == "I020" for n in o.get("notes", []))]
        print(f"rulefiles {os.path.basename(work)}: {len(refused)} searches refused as stanzas (I020)")
        c, f = check_splunk(splunk, queries, failures)
        s_checked, s_failed = s_checked + c, s_failed + f
        c, f = check_elastic(load(os.path.join(work, "elastic.jsonl")), queries, failures)
        e_checked, e_failed = e_checked + c, e_failed + f
    for kind, file, index, problems, text in failures[:50]:
        print(f"FAIL {kind} {file} (query {index}):")
        for p in problems:
            print(f"    {p}")
        if text:
            print("    " + text[:2000].replace("\n", "\n    "))
    print(f"rulefiles splunk: {s_checked} checked, {s_failed} failed")
    print(f"rulefiles elastic: {e_checked} checked, {e_failed} failed")
    passed = s_checked + e_checked - s_failed - e_failed
    print(f"{passed} passed, {s_failed + e_failed} failed")
    return 1 if s_failed + e_failed else 0


if __name__ == "__main__":
    sys.exit(main())
