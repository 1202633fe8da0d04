"""Validate Sigma outputs: the Sigma JSON schemas (check-jsonschema) and `sigma check`.

Run with $KQLPORT_ORACLES/sigma/bin/python.
  sigma_worker.py WORKDIR SCHEMA_DIR < [{"key", "text"}] > {"oracle", "excluded", "results": [{"key", "ok", "error"}]}

One output is one unit: a single rule, or a YAML stream (`---`) of base rule(s) + correlation
rule(s). Each document is written to its own file (check-jsonschema reads only the first
document of a stream) under WORKDIR/sigma/<unit>/, named `kqlport_rule_<unit>[_<n>].yml`
(sigma check's filename_length wants 10-90 characters; the names are this harness's, not
kqlport's). Then:
  - detection documents against sigma-detection-rule-schema.json, correlation documents against
    sigma-correlation-rules-schema.json (one check-jsonschema process per schema, JSON output
    mapped back to files);
  - `sigma check --fail-on-issues` on the unit's directory (a correlation resolves its rules
    only when they are in the same directory argument), run in-process through sigma-cli's own
    click command, one unit at a time so that collection-wide validators (duplicate id, title,
    filename) judge one output and not the corpus' duplicated rules. Validators that download
    data at run time are excluded (see NETWORK_VALIDATORS; here: attacktag, d3_fendtag).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from importlib.metadata import version

import yaml
from click.testing import CliRunner
from sigma.cli.check import check as sigma_check_cmd
from sigma.plugins import InstalledSigmaPlugins

# Validators that download data at run time. ORACLES.md names seven sigmahq_* ones (the separate
# pySigma-validators-sigmahq plugin: not installed here). pySigma 1.5.1's own `attacktag` and
# `d3_fendtag` fetch the MITRE ATT&CK / D3FEND catalogues (sigma/data/mitre_*.py, urlopen from
# github.com / d3fend.mitre.org) the first time a rule has an attack.* / d3fend.* tag; offline they
# raise "Failed to load MITRE ATT&CK data". Only the installed ones are passed to -x.
NETWORK_VALIDATORS = [
    "attacktag", "d3_fendtag",
    "sigmahq_category_event_id", "sigmahq_category_windows_provider_name", "sigmahq_fieldname_cast",
    "sigmahq_invalid_fieldname", "sigmahq_redundant_field", "sigmahq_filename_prefix", "sigmahq_logsource_unknown",
]
# Style validators whose finding is, for kqlport's output, deliberate and spec-correct. Each is
# excluded with its reason, printed in every run; everything else in `sigma check` must pass.
DELIBERATE = {
    # KQL compared a *string* column with a string such as "0" or "4738"; the quoted YAML value
    # keeps that a string comparison (an unquoted number changes the match in some backends).
    "number_as_string": "KQL compared a string column with a digit string; the value stays a string",
    # A KQL value containing a literal * or ? is escaped as the Sigma spec requires (\*, \?);
    # the validator only asks to make sure that is intentional. It is.
    "escaped_wildcard": "a literal * or ? in the KQL value is escaped as the Sigma spec requires",
    # A KQL literal (or the rule's own title/description) holding a control character such as
    # "\n" or "\t": the YAML escapes it and the rule tests exactly that value, as the KQL does.
    "control_character": "the KQL value or rule text itself holds a control character (escaped in the YAML)",
}
DOC_SPLIT = re.compile(r"^---[ \t]*$", re.M)


def split_docs(text: str) -> list[str]:
    return [d.strip("\n") + "\n" for d in DOC_SPLIT.split(text) if d.strip()]


def run_jsonschema(schema: str, files: list[str]) -> dict[str, list[str]]:
    """file -> error messages (empty list: valid)."""
    out: dict[str, list[str]] = {f: [] for f in files}
    if not files:
        return out
    exe = os.path.join(os.path.dirname(sys.executable), "check-jsonschema")
    r = subprocess.run([exe, "-o", "json", "--schemafile", schema, *files], capture_output=True, text=True,
                       stdin=subprocess.DEVNULL, timeout=1800)
    try:
        report = json.loads(r.stdout)
    except ValueError:
        raise SystemExit(f"check-jsonschema gave no JSON (exit {r.returncode}): {r.stdout[-500:]} {r.stderr[-500:]}")
    for e in report.get("errors", []):
        out.setdefault(e["filename"], []).append(f"{e.get('path', '$')}: {e.get('message')}")
    for e in report.get("parse_errors", []):
        out.setdefault(e.get("filename", "?"), []).append(f"parse error: {e.get('message')}")
    return out


def main() -> int:
    workdir, schema_dir = sys.argv[1], sys.argv[2]
    det_schema = os.path.join(schema_dir, "sigma-detection-rule-schema.json")
    corr_schema = os.path.join(schema_dir, "sigma-correlation-rules-schema.json")
    for s in (det_schema, corr_schema):
        if not os.path.isfile(s):
            raise SystemExit(f"Sigma JSON schema not found: {s} (set KQLPORT_SIGMA_SCHEMAS)")
    items = json.load(sys.stdin)
    root = os.path.join(workdir, "sigma")
    units = []  # (key, dir, [(file, kind)], [pre-errors])
    det_files, corr_files = [], []
    for n, it in enumerate(items):
        d = os.path.join(root, f"{n:05d}")
        os.makedirs(d, exist_ok=True)
        files, errors = [], []
        docs = split_docs(it["text"])
        if not docs:
            errors.append("empty output")
        for i, doc in enumerate(docs):
            name = f"kqlport_rule_{n:05d}.yml" if i == 0 else f"kqlport_rule_{n:05d}_{i}.yml"
            path = os.path.join(d, name)
            with open(path, "w", encoding="utf-8") as f:
                f.write(doc)
            try:
                parsed = yaml.safe_load(doc)
            except yaml.YAMLError as e:
                errors.append(f"{name}: not YAML: {e}")
                continue
            if not isinstance(parsed, dict):
                errors.append(f"{name}: not a YAML mapping")
                continue
            kind = "correlation" if "correlation" in parsed else "detection"
            (corr_files if kind == "correlation" else det_files).append(path)
            files.append((path, kind))
        units.append((it["key"], d, files, errors))

    schema_errors = run_jsonschema(det_schema, det_files)
    schema_errors.update(run_jsonschema(corr_schema, corr_files))

    installed = set(InstalledSigmaPlugins.autodiscover().validators)
    excluded = sorted((set(NETWORK_VALIDATORS) | set(DELIBERATE)) & installed)
    exclude_args = [a for v in excluded for a in ("-x", v)]
    runner = CliRunner()
    results = []
    for key, d, files, errors in units:
        errors = list(errors)
        for path, kind in files:
            for msg in schema_errors.get(path, []):
                errors.append(f"{os.path.basename(path)} vs {kind} schema: {msg}")
        r = runner.invoke(sigma_check_cmd, ["--fail-on-issues", *exclude_args, d], catch_exceptions=True)
        if r.exit_code != 0:
            out = r.output
            if r.exception is not None and not isinstance(r.exception, SystemExit):
                out += f"\n{type(r.exception).__name__}: {r.exception}"
            lines = [ln for ln in out.splitlines()
                     if ln.strip() and not ln.startswith(("Checking Sigma rules", "+-", "| Count"))]
            # Drop the summary tables; keep the errors and issues themselves.
            keep = []
            for ln in lines:
                if ln.startswith("=== Summary ==="):
                    break
                if ln.startswith(("Ignoring these validators", "=== Issues ===")):
                    continue
                keep.append(ln.replace(d + os.sep, ""))
            errors.append("sigma check: " + ("\n".join(keep) or f"exit {r.exit_code}"))
        results.append({"key": key, "ok": not errors, "error": "\n".join(errors) or None})

    oracle = (f"check-jsonschema {version('check-jsonschema')} (Sigma JSON schemas) + sigma check "
              f"(sigma-cli {version('sigma-cli')}, pySigma {version('pySigma')})")
    json.dump({"oracle": oracle, "excluded": excluded, "results": results}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
