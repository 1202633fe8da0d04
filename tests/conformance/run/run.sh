#!/usr/bin/env bash
# Differential conformance run: every case under tests/conformance/cases × {eql, sigma, esql, spl}
# → one verdict each (see README.md). Prints a table per target, the summary line
#   conformance: V verified-equal, P parsed-only, W wrong, E parse errors, D declined of N case-targets
# and `X passed, Y failed` (after the SPL evaluator's unit-test result line). Exit 1 if any wrong
# rows, parse errors or reasonless refusals, or a failing SPL evaluator unit test.
#
# With --pipeline NAME (ecs, sigma, …) the translations are made with that field-mapping
# pipeline, each case's events are renamed by the same pipeline (pipeline_events.py), and the
# pipeline's target is judged: EQL for ecs, Sigma for sigma (pySigma's SQLite backend;
# sigma-rust reads the library's own unmapped translation, so it is not run), SPL for cim (the
# SPL reference evaluator, each event under its pipeline sourcetype or source).
#
# Usage: tests/conformance/run/run.sh [--json FILE] [--no-setup] [--pipeline NAME]
# Env:   KQLPORT_ORACLES (default <repo>/.oracles, else the main checkout's .oracles),
#        CARGO_TARGET_DIR (honoured), KQLPORT_BIN (a prebuilt kqlport binary; skips cargo build).
set -euo pipefail
exec </dev/null
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
cd "$repo"

json_out=""
setup=1
pipeline=none
while [ $# -gt 0 ]; do
  case "$1" in
    --json) json_out=$(realpath -m "$2"); shift 2 ;;
    --pipeline) pipeline="$2"; shift 2 ;;
    --no-setup) setup=0; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

if [ -z "${KQLPORT_ORACLES:-}" ]; then
  if [ -d "$repo/.oracles" ]; then
    KQLPORT_ORACLES="$repo/.oracles"
  else
    # a git worktree: use the main checkout's oracles
    common=$(git -C "$repo" rev-parse --path-format=absolute --git-common-dir 2>/dev/null || true)
    KQLPORT_ORACLES="${common%/.git}/.oracles"
  fi
fi
export KQLPORT_ORACLES
if [ "$setup" = 1 ] && [ ! -f "$KQLPORT_ORACLES/sigma/.stamp" ]; then
  tests/conformance/setup-oracles.sh
fi
for g in kql esql sigma; do
  [ -x "$KQLPORT_ORACLES/$g/bin/python" ] || { echo "run.sh: oracle group $g missing under $KQLPORT_ORACLES (run tests/conformance/setup-oracles.sh)" >&2; exit 2; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
target_dir=${CARGO_TARGET_DIR:-$repo/target}

if [ -z "${KQLPORT_BIN:-}" ]; then
  echo "run.sh: building kqlport-cli" >&2
  cargo build -q -p kqlport-cli >&2
  KQLPORT_BIN="$target_dir/debug/kqlport"
fi

# 1. every case through the CLI (declines exit 1; that is expected)
# (Sentinel names unless --pipeline: the cases' events are Sentinel-named.)
targets=spl,esql,eql,sigma
case "$pipeline" in none) ;; ecs) targets=eql ;; sigma) targets=sigma ;; cim) targets=spl ;; *) targets=eql,sigma ;; esac
"$KQLPORT_BIN" convert --to "$targets" --pipeline "$pipeline" --format json tests/conformance/cases/*/rule.yaml \
  >"$work/convert.jsonl" 2>"$work/convert.err" || true
[ -s "$work/convert.jsonl" ] || { echo "run.sh: kqlport convert produced nothing:" >&2; cat "$work/convert.err" >&2; exit 2; }

# 2. the Sigma rules evaluated with sigma-rust (Rust integration test; Sentinel names only)
if [ "$pipeline" = none ]; then
echo "run.sh: sigma-rust evaluation (cargo test -p kqlport-cli --test conformance_sigma)" >&2
KQLPORT_CONFORMANCE_OUT="$work/sigma_rust.jsonl" \
  cargo test -q -p kqlport-cli --test conformance_sigma -- --nocapture >"$work/sigma_rust.log" 2>&1 \
  || { echo "run.sh: the sigma-rust harness failed:" >&2; tail -40 "$work/sigma_rust.log" >&2; exit 2; }
else
  : >"$work/sigma_rust.jsonl"
fi

# 3. the SPL reference evaluator's own unit tests (examples from Splunk's documentation); their
#    result is printed before the verdicts, so the last line stays `N passed, M failed`
spl_unit=0
(cd "$repo/tests/conformance/engines" && "$KQLPORT_ORACLES/sigma/bin/python" -m unittest discover -s spl/tests -t . ) \
  >"$work/spl_unit.log" 2>&1 || spl_unit=1
echo "SPL evaluator unit tests: $(grep -E '^(Ran|OK|FAILED)' "$work/spl_unit.log" | tr '\n' ' ')"
if [ "$spl_unit" != 0 ]; then
  tail -60 "$work/spl_unit.log"
fi

# 4. verdicts
args=(--convert "$work/convert.jsonl" --sigma-rust "$work/sigma_rust.jsonl" --oracles "$KQLPORT_ORACLES" --pipeline "$pipeline")
[ -n "$json_out" ] && args+=(--json-out "$json_out")
rc=0
"$KQLPORT_ORACLES/sigma/bin/python" "$here/runner.py" "${args[@]}" || rc=$?
if [ "$spl_unit" != 0 ] && [ "$rc" = 0 ]; then
  rc=1
fi
exit "$rc"
