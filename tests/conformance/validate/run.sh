#!/usr/bin/env bash
# Validate every translation kqlport emits with the target's own parser/checker.
#
#   tests/conformance/validate/run.sh [PATH ...]     default: rules/ ../shared/corpus
#
# Builds the CLI (debug profile: `scripts/test.sh` has just built it for `cargo test`, so this is
# a no-op there), runs `kqlport convert --to spl,esql,eql,sigma --format json PATH...`, and hands
# every emitted output to validate.py: ES|QL -> esql.parse_query (plus a typed check inside
# esql.Schema built from src/schema/tables.tsv when the FROM table is known: gated only where no
# field's type had to be guessed, else reported as unverified), EQL -> eql.parse_query
# (elasticsearch_syntax), Sigma -> JSON schemas + `sigma check`, SPL -> splparser (smoke only,
# never fails the run). Needs the oracles (tests/conformance/setup-oracles.sh).
# Last line: `N passed, M failed`. Exit 1 on any failure. Work files: $KQLPORT_VALIDATE_DIR
# (default <target dir>/conformance-validate), including report.json and convert.jsonl.
#
# Environment: KQLPORT_ORACLES, KQLPORT_SIGMA_SCHEMAS, KQLPORT_SKIP_CORPUS=1 (rules/ only when
# ../shared/corpus is missing), KQLPORT_BIN (use this kqlport binary instead of building one),
# KQLPORT_VALIDATE_PIPELINE (the field-mapping pipeline; default `none`, as the ES|QL type check
# reads Sentinel names from src/schema/tables.tsv; `default` gives each target its own).
set -euo pipefail
# shellcheck source=../lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib.sh"
cd "$REPO_ROOT"
export KQLPORT_ORACLES=$ORACLES
exec </dev/null

paths=("$@")
default_paths validate validating

target_dir=${CARGO_TARGET_DIR:-$REPO_ROOT/target}
work=${KQLPORT_VALIDATE_DIR:-$target_dir/conformance-validate}
rm -rf "$work"
mkdir -p "$work"

kqlport_bin validate

pipeline=${KQLPORT_VALIDATE_PIPELINE:-none}
pipeline_args=()
[ "$pipeline" = default ] || pipeline_args=(--pipeline "$pipeline")
echo "validate: kqlport convert --to spl,esql,eql,sigma ${pipeline_args[*]} --format json ${paths[*]}"
set +e
"$bin" convert --to spl,esql,eql,sigma "${pipeline_args[@]}" --format json "${paths[@]}" >"$work/convert.jsonl" 2>"$work/convert.stderr"
rc=$?
set -e
# 0: everything translated; 1: something was declined or not parsed (not a failure here).
if [ $rc -gt 1 ] || [ ! -s "$work/convert.jsonl" ]; then
    echo "validate: kqlport convert failed (exit $rc):" >&2
    tail -n 30 "$work/convert.stderr" >&2
    echo "0 passed, 1 failed"
    exit 1
fi
tail -n 1 "$work/convert.stderr"

py=$ORACLES/kql/bin/python
[ -x "$py" ] || py=python3
exec "$py" "$CONFORMANCE_DIR/validate/validate.py" "$work/convert.jsonl" "$work"
