"""Smoke test: Sigma rules through the JSON schemas, `sigma check`, and `sigma convert -t sqlite`
executed in SQLite. Run with $KQLPORT_ORACLES/sigma/bin/python. Prints one line: PASS/FAIL.

Reusable pieces: `sigma_check(paths)`, `convert_sqlite(paths)`, `make_logs_table(con, events)`.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
RULES = os.path.join(HERE, "sigma")
BIN = os.path.dirname(sys.executable)
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
SCHEMA_DIR = os.environ.get("KQLPORT_SIGMA_SCHEMAS") or next(
    (d for d in (os.path.join(REPO, "..", "shared", "sigma-schema"), "/work/shared/sigma-schema")
     if os.path.isfile(os.path.join(d, "sigma-detection-rule-schema.json"))),
    os.path.join(REPO, "..", "shared", "sigma-schema"),
)
DETECTION_SCHEMA = os.path.join(SCHEMA_DIR, "sigma-detection-rule-schema.json")
CORRELATION_SCHEMA = os.path.join(SCHEMA_DIR, "sigma-correlation-rules-schema.json")

# Validators that fetch SigmaHQ data at run time (ORACLES.md). They ship in the separate
# pySigma-validators-sigmahq plugin; only those actually installed can be passed to -x
# (sigma-cli warns "Invalid validators name" for the others).
NETWORK_VALIDATORS = [
    "sigmahq_category_event_id", "sigmahq_category_windows_provider_name", "sigmahq_fieldname_cast",
    "sigmahq_invalid_fieldname", "sigmahq_redundant_field", "sigmahq_filename_prefix", "sigmahq_logsource_unknown",
]


def sh(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300)


_VALIDATORS: set[str] | None = None


def installed_validators() -> set[str]:
    global _VALIDATORS
    if _VALIDATORS is not None:
        return _VALIDATORS
    out = sh(os.path.join(BIN, "sigma"), "list", "validators").stdout
    _VALIDATORS = {line.split("|")[1].strip() for line in out.splitlines() if line.startswith("| ") and "|" in line[2:]}
    return _VALIDATORS


def sigma_check(paths: list[str]) -> subprocess.CompletedProcess:
    """`sigma check --fail-on-issues`, excluding the installed network validators."""
    excl = []
    for v in sorted(set(NETWORK_VALIDATORS) & installed_validators()):
        excl += ["-x", v]
    return sh(os.path.join(BIN, "sigma"), "check", "--fail-on-issues", *excl, *paths)


def jsonschema_check(schema: str, paths: list[str]) -> subprocess.CompletedProcess:
    return sh(os.path.join(BIN, "check-jsonschema"), "--schemafile", schema, *paths)


def convert_sqlite(paths: list[str], *options: str) -> str:
    """`sigma convert -t sqlite` (options: "table=logs", "collate_nocase=true", ...).

    A correlation and the rules it names must be in one DIRECTORY argument: given as separate
    file arguments, sigma-cli does not resolve the reference ("Rule ... not found").
    """
    opts = []
    for o in options:
        opts += ["-O", o]
    r = sh(os.path.join(BIN, "sigma"), "convert", "-t", "sqlite", *opts, *paths)
    if r.returncode != 0:
        raise RuntimeError(f"sigma convert failed: {r.stderr.strip()}")
    return r.stdout.strip()


COLUMNS = {"rid": "INTEGER PRIMARY KEY", "Image": "TEXT COLLATE NOCASE", "DestinationPort": "INTEGER",
           "Computer": "TEXT COLLATE NOCASE", "DestinationIp": "TEXT COLLATE NOCASE", "timestamp": "TEXT"}


def make_logs_table(con: sqlite3.Connection, events: list[dict], columns: dict[str, str] = COLUMNS, table: str = "logs"):
    """A table as the sqlite backend expects: text columns COLLATE NOCASE (Sigma's `=` folds
    case; LIKE already does); `rid INTEGER PRIMARY KEY` makes rowid, which correlation queries
    report as event ids, equal to the row id; `timestamp` ISO-8601 text for correlations."""
    con.execute(f"CREATE TABLE {table} ({', '.join(f'{c} {t}' for c, t in columns.items())})")
    con.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' for _ in columns)})",
                    [[e.get(c) for c in columns] for e in events])


EVENTS = [
    {"rid": 1, "Image": r"C:\Tools\tor.exe", "DestinationPort": 9001, "Computer": "PC1", "DestinationIp": "10.0.0.1", "timestamp": "2024-01-01T00:00:00"},
    {"rid": 2, "Image": r"C:\TOOLS\TOR.EXE", "DestinationPort": 443, "Computer": "PC1", "DestinationIp": "10.0.0.2", "timestamp": "2024-01-01T00:10:00"},
    {"rid": 3, "Image": r"C:\Tools\Tor.exe", "Computer": "pc2", "DestinationIp": "10.0.0.3", "timestamp": "2024-01-01T00:20:00"},
    {"rid": 4, "Image": r"C:\x\tortoise.exe", "DestinationPort": 80, "Computer": "PC2", "DestinationIp": "10.0.0.4", "timestamp": "2024-01-01T00:30:00"},
    {"rid": 5, "Image": r"C:\x\meek-client.exe", "DestinationPort": 80, "Computer": "PC3", "DestinationIp": "10.0.0.5", "timestamp": "2024-01-01T00:40:00"},
    {"rid": 6, "Image": r"C:\x\mytor.exe", "DestinationPort": 80, "Computer": "PC3", "DestinationIp": "10.0.0.6", "timestamp": "2024-01-01T00:50:00"},
    {"rid": 7, "DestinationPort": 80, "Computer": "PC3", "DestinationIp": "10.0.0.7", "timestamp": "2024-01-01T01:00:00"},
    {"rid": 8, "Image": r"C:\x\MEEK-CLIENT.EXE", "DestinationPort": 443, "Computer": "PC3", "DestinationIp": "10.0.0.8", "timestamp": "2024-01-01T01:10:00"},
    {"rid": 9, "Image": r"C:\Tools\tor.exe", "DestinationPort": 80, "Computer": "PC2", "DestinationIp": "10.0.0.3", "timestamp": "2024-01-01T03:00:00"},
]
EXPECTED_DETECTION = [1, 3, 5, 9]  # \tor.exe or \meek-client.exe (any case), port != 443 or missing
# Both correlations: only PC1 has >= 2 tor.exe events (and 2 destinations) within 1h.
EXPECTED_CORRELATION = [("pc1", [1, 2])]

DANGLING = """title: Dangling Condition Reference
id: 9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a
status: experimental
description: Negative smoke test; the condition names a detection that does not exist.
author: kqlport
date: 2026-01-01
logsource:
    category: network_connection
    product: windows
detection:
    selection:
        Image|endswith: '\\tor.exe'
    condition: selection and not filter_missing
level: low
"""


def fail(msg: str) -> int:
    print(f"FAIL sigma: {msg}")
    return 1


def main() -> int:
    import sigma.cli  # noqa: F401
    from importlib.metadata import version

    versions = f"sigma-cli {version('sigma-cli')}, pySigma {version('pySigma')}, " \
               f"pysigma-backend-sqlite {version('pysigma-backend-sqlite')}, check-jsonschema {version('check-jsonschema')}"
    if not os.path.isfile(DETECTION_SCHEMA):
        return fail(f"Sigma JSON schemas not found (looked for {DETECTION_SCHEMA}; set KQLPORT_SIGMA_SCHEMAS)")
    rule = os.path.join(RULES, "net_connection_win_tor_client.yml")
    cdir = os.path.join(RULES, "correlation")
    base = os.path.join(cdir, "net_connection_win_tor_base.yml")
    corrs = [os.path.join(cdir, f) for f in ("corr_tor_event_count.yml", "corr_tor_value_count.yml")]

    # 1. JSON schemas
    r = jsonschema_check(DETECTION_SCHEMA, [rule, base])
    if r.returncode != 0:
        return fail(f"detection schema: {r.stdout.strip()} {r.stderr.strip()}")
    r = jsonschema_check(CORRELATION_SCHEMA, corrs)
    if r.returncode != 0:
        return fail(f"correlation schema: {r.stdout.strip()} {r.stderr.strip()}")
    if jsonschema_check(DETECTION_SCHEMA, corrs[:1]).returncode == 0:
        return fail("a correlation rule passed the detection-rule schema")

    # 2. sigma check (fail on issues); the correlation rules are checked with their base rule.
    for paths in ([rule], [cdir]):
        r = sigma_check(paths)
        if r.returncode != 0:
            return fail(f"sigma check {paths}: exit {r.returncode}: {(r.stdout + r.stderr).strip()[-600:]}")
    with tempfile.TemporaryDirectory() as tmp:
        bad = os.path.join(tmp, "net_connection_win_dangling.yml")
        with open(bad, "w") as f:
            f.write(DANGLING)
        if sigma_check([bad]).returncode == 0:
            return fail("sigma check accepted a condition naming an undefined detection")
    if sigma_check(corrs[:1]).returncode == 0:
        return fail("sigma check accepted a correlation whose base rule is missing")

    # 3. detection rule -> SQL -> SQLite
    sql = convert_sqlite([rule])
    con = sqlite3.connect(":memory:")
    make_logs_table(con, EVENTS)
    cur = con.execute(sql)
    cols = [d[0] for d in cur.description]
    got = sorted(row[cols.index("rid")] for row in cur.fetchall())
    if got != EXPECTED_DETECTION:
        return fail(f"detection rule rows {got}, expected {EXPECTED_DETECTION}; SQL: {sql}")

    # 4. correlation rules (base + correlation in one directory -> one query each)
    for corr in corrs:
        with tempfile.TemporaryDirectory() as tmp:
            for src in (base, corr):
                shutil.copy(src, tmp)
            csql = convert_sqlite([tmp])
        cur = con.execute(csql)
        cols = [d[0] for d in cur.description]
        alerts = []
        for row in cur.fetchall():
            rec = dict(zip(cols, row))
            ids = sorted(int(str(e).rsplit(":", 1)[-1]) for e in json.loads(rec["event_ids"]))
            alerts.append((json.loads(rec["group_keys"])["Computer"], ids))
        if alerts != EXPECTED_CORRELATION:
            return fail(f"{os.path.basename(corr)}: alerts {alerts}, expected {EXPECTED_CORRELATION}")

    excluded = sorted(set(NETWORK_VALIDATORS) & installed_validators())
    note = f"-x {len(excluded)} network validators" if excluded else "no network validator installed to exclude"
    print(f"PASS sigma: {versions}; schemas ok, sigma check ok ({note}), "
          f"sqlite rows {got}, event_count/value_count alerts {EXPECTED_CORRELATION}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
