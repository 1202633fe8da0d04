"""Validate every translation kqlport emitted with the target's own tooling.

  validate.py CONVERT_JSONL WORKDIR        (any Python >= 3.8; stdlib only)

CONVERT_JSONL is `kqlport convert --to spl,esql,eql,sigma --format json ...` output: one object
per query and target (file, index, target, status, notes, output). Every non-null `output` is
handed to its target's validator, each in its own oracle environment (in parallel):

  esql   esql_worker.py   ($KQLPORT_ORACLES/esql)   esql.parse_query          fails the run
                  + typed: esql.Schema from src/schema/tables.tsv for the FROM table (see below)
  eql    eql_worker.py    ($KQLPORT_ORACLES/kql)    eql.parse_query (ES)      fails the run
  sigma  sigma_worker.py  ($KQLPORT_ORACLES/sigma)  JSON schemas + sigma check   fails the run
  spl    ../smoke/spl_parse.py ($KQLPORT_ORACLES/spl)  splparser smoke parse  reported only

Prints per target `<target>: N emitted, N parsed, M failed` (also split rules/ vs corpus), each
failure with file, index, the parser's message and the emitted text, then `N passed, M failed`
over esql+eql+sigma. Exit 1 on any failure. The full report goes to WORKDIR/report.json.

ES|QL typed check: an output whose FROM table is in kqlport's schema (src/schema/tables.tsv) is
parsed again inside `esql.Schema(mapping)` (esql_worker.py). Summary line
`esql typed: N checked, T type-checked clean, U unverified (unknown fields), F type errors`.
A type/schema error counts as a failure only when no field's type had to be guessed (dynamic
leaves, fields outside the schema); otherwise it is listed as UNVERIFIED and does not fail.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
CONFORMANCE = os.path.dirname(HERE)
REPO = os.path.dirname(os.path.dirname(CONFORMANCE))
ORACLES = os.environ.get("KQLPORT_ORACLES") or os.path.join(REPO, ".oracles")
SCHEMAS = os.environ.get("KQLPORT_SIGMA_SCHEMAS") or os.path.join(REPO, "..", "shared", "sigma-schema")
STATUSES = {"exact", "approximate", "declined", "error"}
GATED = ("esql", "eql", "sigma")  # targets whose failures fail the run
LABEL = {"esql": "ES|QL", "eql": "EQL", "sigma": "Sigma", "spl": "SPL"}
MAX_TEXT = 4000  # characters of emitted text shown per failure


def worker_cmds(workdir: str) -> dict[str, list[str]]:
    return {
        "esql": [os.path.join(ORACLES, "esql", "bin", "python"), os.path.join(HERE, "esql_worker.py")],
        "eql": [os.path.join(ORACLES, "kql", "bin", "python"), os.path.join(HERE, "eql_worker.py")],
        "sigma": [os.path.join(ORACLES, "sigma", "bin", "python"), os.path.join(HERE, "sigma_worker.py"),
                  workdir, SCHEMAS],
        "spl": [os.path.join(ORACLES, "spl", "bin", "python"), os.path.join(CONFORMANCE, "smoke", "spl_parse.py")],
    }


def load_schema() -> dict[str, dict[str, str]]:
    """kqlport's table schema: {table: {column: kusto_type}} from src/schema/tables.tsv."""
    schema: dict[str, dict[str, str]] = {}
    path = os.path.join(REPO, "src", "schema", "tables.tsv")
    if not os.path.exists(path):
        return schema
    with open(path, encoding="utf-8") as f:
        for line in f.read().split("\n"):
            if line.startswith("#") or not line.strip():
                continue
            table, *groups = line.split("\t")
            cols = schema.setdefault(table, {})
            for g in groups:
                ty, _, names = g.partition("=")
                for n in names.split(","):
                    if n:
                        cols[n] = ty
    return schema


FROM_TABLE = re.compile(r"^FROM\s+([^\s,|]+(?:\s*,\s*[^\s,|]+)*)(?:\s+METADATA\s+[\w,\s]+?)?\s*(?:\||$)", re.M)


def esql_table_schema(text: str, schema: dict) -> dict | None:
    """{table: columns} for the ES|QL query's FROM table(s) (`FROM a, b` reads several) when
    kqlport's schema has every one."""
    m = FROM_TABLE.search(text)
    if not m:
        return None
    tables = [t.strip() for t in m.group(1).split(",")]
    if not all(t in schema for t in tables):
        return None
    return {t: schema[t] for t in tables}


def source_of(file: str) -> str:
    """'rules' for the repository's rules/, 'corpus' for everything else (../shared/corpus)."""
    f = file.replace("\\", "/")
    return "rules" if f.startswith(("rules/", "./rules/")) else "corpus"


# ---- known gaps of the EQL oracle, each confirmed mechanically before it is accepted ----------

UNICODE_ESC = re.compile(r"\\u\{([^}]*)\}")


def eql_unicode_gap(text: str, error: str, reparse) -> str | None:
    """eql 1.0.1 unescapes strings with the greedy regex `\\u\\{.+\\}` (eql/ast.py String.unescape),
    so two `\\u{..}` escapes in one string are read as one and int(..., 16) fails. Elastic's EQL
    syntax reference: "escape Unicode characters using a hexadecimal \\u{XXXXXXXX} escape sequence.
    The hexadecimal value can be 2-8 characters". Accepted as a parser gap only if every escape is
    2-8 hex digits and the query parses once each escape is replaced by a plain character."""
    if "invalid literal for int() with base 16" not in error:
        return None
    escapes = UNICODE_ESC.findall(text)
    if len(escapes) < 2 or not all(re.fullmatch(r"[0-9A-Fa-f]{2,8}", e) for e in escapes):
        return None
    if reparse(UNICODE_ESC.sub("u", text)) is not None:
        return None
    return ("eql package gap: two \\u{..} escapes in one string (greedy `\\\\u\\{.+\\}` in eql/ast.py); "
            f"escapes {', '.join(sorted(set(escapes)))} are valid per Elastic's EQL syntax reference "
            "(2-8 hex digits), and the query parses with them replaced")


def run_workers(by_target: dict[str, list[dict]], workdir: str) -> dict[str, dict]:
    cmds = worker_cmds(workdir)
    procs = {}
    for target, items in by_target.items():
        cmd = cmds[target]
        if not os.path.exists(cmd[0]):
            procs[target] = None
            continue
        inp = os.path.join(workdir, f"{target}.in.json")
        with open(inp, "w", encoding="utf-8") as f:
            json.dump([{"key": it["key"], "text": it["output"], **({"schema": it["schema"]} if it.get("schema") else {})}
                       for it in items], f)
        out = open(os.path.join(workdir, f"{target}.out.json"), "w", encoding="utf-8")
        err = open(os.path.join(workdir, f"{target}.stderr.log"), "w", encoding="utf-8")
        if target == "spl":  # spl_parse.py takes a plain JSON array of strings
            with open(inp, "w", encoding="utf-8") as f:
                json.dump([it["output"] for it in items], f)
        procs[target] = (subprocess.Popen(cmd, stdin=open(inp, encoding="utf-8"), stdout=out, stderr=err,
                                          cwd=workdir, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}), out, err)
    results = {}
    for target, p in procs.items():
        if p is None:
            results[target] = {"missing": f"{cmds[target][0]} not found (run tests/conformance/setup-oracles.sh)"}
            continue
        proc, out, err = p
        rc = proc.wait()
        out.close()
        err.close()
        raw = open(os.path.join(workdir, f"{target}.out.json"), encoding="utf-8").read()
        try:
            data = json.loads(raw)
        except ValueError:
            tail = open(os.path.join(workdir, f"{target}.stderr.log"), encoding="utf-8").read()[-1500:]
            results[target] = {"missing": f"validator crashed (exit {rc}): {tail}"}
            continue
        if target == "spl":
            items = by_target["spl"]
            data = {"oracle": "splparser 0.2.0 (smoke parse)",
                    "results": [{"key": it["key"], "ok": r["ok"], "error": r.get("error"),
                                 "commands": r.get("commands")} for it, r in zip(items, data)]}
        results[target] = data
    return results


def eql_reparse_factory():
    """Re-parse single EQL queries (for gap confirmation) in the kql venv."""
    py = os.path.join(ORACLES, "kql", "bin", "python")
    worker = os.path.join(HERE, "eql_worker.py")

    def reparse(text: str):
        r = subprocess.run([py, worker], input=json.dumps([{"key": "0", "text": text}]), capture_output=True,
                           text=True, timeout=300)
        return json.loads(r.stdout)["results"][0]["error"]
    return reparse


SPL_FUNC = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\(")


def spl_failing_stages(queries: list[str], workdir: str) -> list[str | None]:
    """For each SPL query splparser rejects, the first stage it rejects on its own (each `| stage`
    line parsed as `search x=1 | stage`), or None when every stage parses alone."""
    probes, index = [], []
    for qi, q in enumerate(queries):
        lines = [ln for ln in q.splitlines() if ln.strip()]
        for si, ln in enumerate(lines):
            probes.append(ln if si == 0 else "search x=1 " + ln)
            index.append((qi, ln))
    if not probes:
        return []
    py = os.path.join(ORACLES, "spl", "bin", "python")
    r = subprocess.run([py, os.path.join(CONFORMANCE, "smoke", "spl_parse.py")], input=json.dumps(probes),
                       capture_output=True, text=True, timeout=1800)
    try:
        res = json.loads(r.stdout)
    except ValueError:
        return [None] * len(queries)
    out: list[str | None] = [None] * len(queries)
    for (qi, ln), pr in zip(index, res):
        if not pr["ok"] and out[qi] is None:
            out[qi] = ln.lstrip("| ").strip()
    return out


def indent(text: str, prefix: str = "      | ") -> str:
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT] + f"\n... ({len(text) - MAX_TEXT} more characters)"
    return "\n".join(prefix + ln for ln in text.rstrip("\n").splitlines())


def main() -> int:
    jsonl, workdir = sys.argv[1], sys.argv[2]
    os.makedirs(workdir, exist_ok=True)
    records, bad_lines = [], []
    with open(jsonl, encoding="utf-8") as f:
        for n, line in enumerate(f):
            if not line.strip():
                continue
            try:
                o = json.loads(line)
            except ValueError as e:
                bad_lines.append(f"line {n + 1}: not JSON ({e})")
                continue
            if o.get("status") not in STATUSES or (o.get("output") is None) == (o["status"] in ("exact", "approximate")):
                bad_lines.append(f"line {n + 1}: status {o.get('status')!r} with output "
                                 f"{'present' if o.get('output') is not None else 'missing'}")
            o["key"] = str(n)
            o["source"] = source_of(o["file"])
            records.append(o)
    by_key = {o["key"]: o for o in records}
    status = Counter((o["source"], o["target"], o["status"]) for o in records)
    by_target = {t: [o for o in records if o["target"] == t and o.get("output") is not None]
                 for t in ("esql", "eql", "sigma", "spl")}
    schema = load_schema()
    for o in by_target["esql"]:
        o["schema"] = esql_table_schema(o["output"], schema)
    results = run_workers({t: v for t, v in by_target.items() if v}, workdir)

    sources = sorted({o["source"] for o in records}, key=lambda s: (s != "rules", s))
    print("== kqlport convert outcomes (query x target) ==")
    for t in ("esql", "eql", "sigma", "spl"):
        for s in sources:
            c = {st: status[(s, t, st)] for st in ("exact", "approximate", "declined", "error")}
            print(f"{t:5}  {s + '/':8} {c['exact']} exact, {c['approximate']} approximate, "
                  f"{c['declined']} declined, {c['error']} error (input not parsed by kqlport)")
    if bad_lines:
        print("malformed convert output:")
        for b in bad_lines[:20]:
            print(f"  {b}")

    passed = failed = 0
    failures, gaps, report = [], [], {"targets": {}}
    reparse = None
    for t in ("esql", "eql", "sigma", "spl"):
        items = by_target[t]
        res = results.get(t)
        print()
        print(f"== {LABEL[t]}: {(res or {}).get('oracle', t)} ==")
        if not items:
            print(f"{t}: 0 emitted")
            continue
        if res is None or "missing" in res:
            msg = (res or {}).get("missing", "no result")
            if t == "spl" and os.path.exists(os.path.join(ORACLES, "spl", "SKIPPED")):
                print(f"spl: {len(items)} emitted, not parsed: splparser not installed ({msg})")
                continue
            print(f"{t}: {len(items)} emitted, validator unavailable: {msg}")
            if t in GATED:
                failed += len(items)
                failures.append((t, None, msg))
            continue
        if t == "sigma" and res.get("excluded"):
            print(
                f"(sigma check -x {' -x '.join(res['excluded'])}: attacktag/d3_fendtag download MITRE data at "
                "run time; number_as_string and escaped_wildcard flag deliberate, spec-correct values: see "
                "DELIBERATE in sigma_worker.py)"
            )
        rmap = {r["key"]: r for r in res["results"]}
        per = Counter()
        t_fail, t_gap, unknown_cmds = [], [], Counter()
        typed = Counter()
        unverified = []
        for o in items:
            r = rmap.get(o["key"], {"ok": False, "error": "no result from the validator"})
            s = o["source"]
            per[(s, "emitted")] += 1
            ty = r.get("typed")
            if r["ok"] and ty is not None:
                typed[ty["status"]] += 1
                if ty["status"] == "unverified":
                    unverified.append((o, ty))
                elif ty["status"] == "error":
                    per[(s, "fail")] += 1
                    t_fail.append((o, "typed check (esql.Schema from src/schema/tables.tsv, every field known): "
                                   + ty["error"]))
                    continue
            if r["ok"]:
                per[(s, "ok")] += 1
                for c in r.get("commands") or []:
                    if c and c.startswith("?"):
                        unknown_cmds[c[1:]] += 1
                continue
            gap = None
            if t == "eql":
                reparse = reparse or eql_reparse_factory()
                gap = eql_unicode_gap(o["output"], r["error"] or "", reparse)
            if gap:
                per[(s, "gap")] += 1
                t_gap.append((o, gap))
            else:
                per[(s, "fail")] += 1
                t_fail.append((o, r["error"] or "failed"))
        word = "parsed" if t in ("esql", "eql", "spl") else "valid"
        for s in sources + ["total"]:
            keys = sources if s == "total" else [s]
            e, ok, g, fl = (sum(per[(k, x)] for k in keys) for x in ("emitted", "ok", "gap", "fail"))
            if s != "total" and e == 0:
                continue
            gaps_txt = f", {g} known parser gap" if g else ""
            what = "parse errors (smoke: not counted as failures)" if t == "spl" else "failed"
            head = f"{t}:" if s == "total" else f"{t} [{s}/]:"
            print(f"{head} {e} emitted, {ok} {word}{gaps_txt}, {fl} {what}")
        if t == "esql":
            print(f"esql typed: {sum(typed.values())} checked, {typed['clean']} type-checked clean, "
                  f"{typed['unverified']} unverified (unknown fields), {typed['error']} type errors")
            for o, ty in unverified:
                msg = ty["error"].replace("\n", " ")[:200]
                print(f"  UNVERIFIED esql {o['file']} #{o['index']}: {msg} "
                      f"(guessed: {', '.join(ty['guessed'][:5])}{', ...' if len(ty['guessed']) > 5 else ''})")
            report["esql_typed"] = {
                "checked": sum(typed.values()), "clean": typed["clean"], "unverified": typed["unverified"],
                "errors": typed["error"],
                "unverified_list": [{"file": o["file"], "index": o["index"], "error": ty["error"],
                                     "guessed": ty["guessed"]} for o, ty in unverified]}
        if t == "spl":
            if unknown_cmds:
                print("spl: commands splparser does not know (parsed as user-defined commands): "
                      + ", ".join(f"{c} x{n}" for c, n in unknown_cmds.most_common()))
            stages = spl_failing_stages([o["output"] for o, _ in t_fail], workdir)
            fns = Counter()
            for (o, e), st in zip(t_fail, stages):
                for f in set(SPL_FUNC.findall(re.sub(r'"(?:[^"\\]|\\.)*"', '""', st or ""))):
                    fns[f] += 1
            if t_fail:
                print("spl: functions in the first stage splparser rejects (its 2014 grammar lacks e.g. "
                      "json_extract, in(), true()): " + ", ".join(f"{f} x{n}" for f, n in fns.most_common()))
            for (o, e), st in zip(t_fail, stages):
                where = f"stage `{st[:200]}`" if st else e.splitlines()[0][:120]
                print(f"  SPL parse error (not gated): {o['file']} #{o['index']}: {where}")
            report["targets"][t] = {"emitted": len(items), "parse_errors": len(t_fail),
                                    "unknown_commands": dict(unknown_cmds)}
            continue
        passed += sum(per[(k, "ok")] + per[(k, "gap")] for k in sources)
        failed += len(t_fail)
        for o, g in t_gap:
            gaps.append((t, o, g))
        for o, e in t_fail:
            failures.append((t, o, e))
        report["targets"][t] = {
            "emitted": len(items), "valid": sum(per[(k, "ok")] for k in sources), "known_gaps": len(t_gap),
            "failed": len(t_fail),
            "by_source": {k: {x: per[(k, x)] for x in ("emitted", "ok", "gap", "fail")} for k in sources},
            "failures": [{"file": o["file"], "index": o["index"], "status": o["status"], "error": e,
                          "output": o["output"]} for o, e in t_fail],
            "gaps": [{"file": o["file"], "index": o["index"], "gap": g, "output": o["output"]} for o, g in t_gap],
        }

    if gaps:
        print()
        print("== known parser gaps (confirmed; not counted as failures) ==")
        for t, o, g in gaps:
            print(f"GAP {t} {o['file']} #{o['index']}: {g}")
    if failures:
        print()
        print("== failures ==")
        for t, o, e in failures:
            if o is None:
                print(f"FAIL {t}: {e}")
                continue
            print(f"FAIL {t} {o['file']} #{o['index']} ({o['status']}):")
            print(indent(e, "    ! "))
            print(indent(o["output"]))
    if bad_lines:
        failed += len(bad_lines)
    with open(os.path.join(workdir, "report.json"), "w", encoding="utf-8") as f:
        json.dump({**report, "passed": passed, "failed": failed}, f, indent=1)
    print()
    print(f"validated {' + '.join(GATED)} translations (full report: {os.path.join(workdir, 'report.json')})")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
