#!/usr/bin/env python3
"""Compares `kqlport check`'s unknown-column errors (L060) with Kusto.Language's over the corpus.

Every query of ../shared/corpus/queries.jsonl is checked twice with the same schema:
  * `kqlport check --format json` (its L060 errors: a name that is no column at that point);
  * Microsoft's Kusto.Language (kusto_check.js), given kqlport's schema (src/schema/tables.tsv)
    of every table the query names whose full column list kqlport has. Its KS142 diagnostics
    ("The name 'X' does not refer to any known column, table, variable or function") are the
    counterpart; a KS142 on a name that is a table, function or `let` kqlport does not know is
    not a column error and is left out.

Only queries kqlport lowers are compared: it checks columns as it lowers, so a query it declines
(an operator or function it does not support) is not checked, and is only counted. A report
agrees when both name the same name at the same place. A kqlport report Kusto.Language does
not make is a failure (a false positive). A Kusto.Language report kqlport does not make is
listed (`NOT SEEN`) but not a failure: kqlport does not know every point's columns (after
`arg_max(…, *)`, a join with a side of unknown columns, a table without a full column list).
A kqlport report in a query where Kusto.Language could not resolve a table or function (KS204,
e.g. an ASIM parser such as `imProcess`) is listed (`UNCHECKED`) but not a failure either:
Kusto.Language checks no column downstream of an unresolved source, not even after a
`summarize` fixes the columns (`imX | summarize c = count() by A | extend F = P` gives only
the KS204), so it neither confirms nor refutes the report.

Prints the counts and every disagreement. Exit status 0 when kqlport never reports a column
Kusto.Language accepts.

Usage: tests/conformance/smoke/columns_check.py   (from the repository root; set
KQLPORT_ORACLES if .oracles is not in this checkout; KQLPORT_BIN for the kqlport binary,
KQLPORT_CORPUS for the corpus directory if it is not ../shared/corpus)
"""
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
CORPUS = os.path.join(os.environ.get("KQLPORT_CORPUS") or os.path.join(ROOT, "..", "shared", "corpus"),
                      "queries.jsonl")
KS142 = re.compile(r"^The name '(.*)' does not refer to any known column, table, variable or function\.$")
L06X = re.compile(r"^`(.*)` is not a column (?:at this point of the query|of the table `.*` in kqlport's schema)$")


def schema():
    """tables.tsv as {table: ({column: type}, complete)}; `?` types become `dynamic`."""
    out = {}
    path = os.path.join(ROOT, "src", "schema", "tables.tsv")
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        name, *parts = line.split("\t")
        cols, complete = {}, True
        for part in parts:
            if part == "partial":
                complete = False
                continue
            ty, names = part.split("=", 1)
            for c in names.split(","):
                # A column whose type differs between the XDR and Azure Monitor forms: any
                # type will do for name resolution; dynamic accepts what either form accepts.
                cols[c] = "dynamic" if ty == "?" else ty
        out[name] = (cols, complete)
    return out


def binary():
    if os.environ.get("KQLPORT_BIN"):
        return os.environ["KQLPORT_BIN"]
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    return os.path.join(target, "debug", "kqlport")


def offsets(text):
    """(line, column) → byte offset... in characters, as Kusto.Language counts."""
    starts = [0]
    for i, ch in enumerate(text):
        if ch == "\n":
            starts.append(i + 1)
    return starts


def main():
    if not os.path.exists(CORPUS):
        print(f"columns_check: {CORPUS} not found", file=sys.stderr)
        return 2
    queries = [json.loads(l) for l in open(CORPUS, encoding="utf-8")]
    tables = schema()
    env = dict(os.environ)
    if "KQLPORT_ORACLES" not in env and not os.path.isdir(os.path.join(ROOT, ".oracles")):
        env["KQLPORT_ORACLES"] = "/work/main/.oracles"

    with tempfile.TemporaryDirectory(prefix="kqlport-columns-") as tmp:
        for q in queries:
            with open(os.path.join(tmp, f"{q['id']:05}.kql"), "w", encoding="utf-8") as f:
                f.write(q["query"])
        run = lambda *args: subprocess.run([binary(), *args, tmp], capture_output=True, text=True, env=env)
        checked = run("check", "--format", "json")
        converted = run("convert", "--to", "spl", "--format", "json")
    if checked.returncode not in (0, 1) or converted.returncode not in (0, 1):
        print(checked.stderr[-2000:], converted.stderr[-2000:], file=sys.stderr)
        return 2

    by_id = {q["id"]: q for q in queries}
    ident = lambda path: int(os.path.basename(path).split(".")[0])
    ours = {}  # id -> {(name, offset)}
    parsed = set()
    for line in checked.stdout.splitlines():
        row = json.loads(line)
        i = ident(row["file"])
        errs = row.get("errors") or []
        if any(e["code"].startswith(("P", "Y", "I")) for e in errs):
            continue
        parsed.add(i)
        text = by_id[i]["query"]
        starts = offsets(text)
        for e in errs + (row.get("warnings") or []):
            m = L06X.match(e["message"])
            if e["code"] in ("L060", "L061") and m:
                ours.setdefault(i, set()).add((m.group(1), starts[e["line"] - 1] + e["column"] - 1))
    # Queries lowering declined for a reason of its own: their columns were not checked.
    unlowered = set()
    for line in converted.stdout.splitlines():
        row = json.loads(line)
        codes = {n["code"] for n in row.get("notes") or [] if n.get("severity") == "error"}
        if any(c.startswith("L") and c != "L060" for c in codes):
            unlowered.add(ident(row["file"]))

    # Kusto.Language, with kqlport's schema of every table the query names. A table whose list
    # is partial (ASIM parsers, AzureDiagnostics) is given too, so that Kusto.Language knows
    # the columns after the query's own `project`/`summarize` as kqlport does; its reports of
    # the table's own columns there are counted apart (kqlport does not check those).
    names = set(tables)
    word = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
    requests, ids = [], []
    # Only the queries kqlport lowers (it checks no others); the rest are counted.
    for i in sorted(parsed - unlowered):
        text = by_id[i]["query"]
        used = {w for w in word.findall(text) if w in names}
        requests.append({"query": text, "tables": {t: tables[t][0] for t in sorted(used)}})
        ids.append(i)
    out = subprocess.run(["node", os.path.join(HERE, "kusto_check.js")], input=json.dumps(requests),
                         capture_output=True, text=True, env=env, cwd=ROOT)
    if out.returncode not in (0, 1):
        print(out.stderr[-2000:], file=sys.stderr)
        return 2
    results = json.loads(out.stdout)

    agree = only_ours = only_kusto_checked = 0
    queries_ours = queries_kusto = 0
    failures = []
    unchecked = []
    lowered_misses = []
    partial_misses = 0
    for i, r in zip(ids, results):
        text = by_id[i]["query"]
        over_partial = any(not tables[t][1] for t in requests[ids.index(i)]["tables"])
        theirs = set()
        for d in r["semantic"]:
            m = KS142.match(d["message"])
            if d["code"] != "KS142" or not m:
                continue
            name = m.group(1)
            # A table, function or let name: not a column error.
            if name in tables or re.search(r"\blet\s+" + re.escape(name) + r"\b", text):
                continue
            after = text[d["start"] + d["length"]:].lstrip()
            if after.startswith("("):
                continue  # a function call (a watchlist or parser function kqlport does not know)
            theirs.add((name, d["start"]))
        mine = ours.get(i, set())
        unresolved = any(d["code"] == "KS204" for d in r["semantic"])
        queries_ours += bool(mine)
        queries_kusto += bool(theirs)
        agree += len(mine & theirs)
        for name, at in sorted(mine - theirs):
            if unresolved:
                unchecked.append(f"query {i} ({by_id[i]['file']}): kqlport reports `{name}` at {at}; "
                                 f"Kusto.Language checks no column there (an unresolved table or function)")
                continue
            only_ours += 1
            failures.append(f"query {i} ({by_id[i]['file']}): kqlport reports `{name}` at {at}; Kusto.Language does not")
        for name, at in sorted(theirs - mine):
            if over_partial:
                partial_misses += 1
                continue
            # kqlport does not know the columns there (or missed it): listed for review.
            only_kusto_checked += 1
            lowered_misses.append(f"query {i} ({by_id[i]['file']}): Kusto.Language reports `{name}` at {at}; kqlport does not")

    print(f"columns: {len(parsed)} queries kqlport parses, {len(parsed) - len(unlowered & parsed)} lowered "
          f"(columns checked where known)")
    print(f"columns: kqlport reports {sum(len(v) for v in ours.values())} unknown columns in {queries_ours} "
          f"queries; Kusto.Language (same schema) in {queries_kusto} queries")
    print(f"columns: {agree} agree, {only_ours} only kqlport, {only_kusto_checked} only Kusto.Language in a "
          f"query kqlport lowered (+{partial_misses} in queries over a table without a full column list); "
          f"{len(parsed & unlowered)} queries kqlport declines are not compared")
    for f in failures:
        print("DISAGREE " + f)
    for f in unchecked:
        print("UNCHECKED " + f)
    for f in lowered_misses:
        print("NOT SEEN " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
