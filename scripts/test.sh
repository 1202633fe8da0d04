#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs what the tests need, then runs them.
# This is the README's test command, and .ci/run calls it.
#   1. conformance oracles (tests/conformance/setup-oracles.sh: pinned, idempotent; ~1-2 min cold)
#   2. cargo test --workspace --locked
#   3. the column names lowering gives unnamed expressions, checked against Kusto.Language
#      (tests/conformance/smoke/names_check.py)
#   4. every translation of rules/ and ../shared/corpus validated by the target's own tooling
#      (tests/conformance/validate/run.sh)
#   5. the ES|QL reference evaluator's unit tests, from Elastic's documentation examples
#      (tests/conformance/engines/esql/tests)
#   6. the differential conformance suite: the cases run as KQL (expected rows from duckdb-kql)
#      and as each translation on the target's engine or parser (tests/conformance/run/run.sh;
#      summary `conformance: V verified-equal, …`, last line `N passed, M failed`)
set -euo pipefail
cd "$(dirname "$0")/.."
exec </dev/null

section() { printf '\n==== %s ====\n' "$1"; }

if [ ! -d ../shared/corpus ]; then
  echo "error: ../shared/corpus not found beside this checkout; the corpus tests need it" >&2
  echo "       (set KQLPORT_SKIP_CORPUS=1 to run without it)" >&2
  [ "${KQLPORT_SKIP_CORPUS:-0}" = 1 ] || exit 1
fi

section "conformance oracles (tests/conformance/setup-oracles.sh)"
tests/conformance/setup-oracles.sh

section "cargo test --workspace --locked"
cargo test --workspace --locked

section "column naming vs Kusto.Language (tests/conformance/smoke/names_check.py)"
"${KQLPORT_ORACLES:-.oracles}/kql/bin/python" tests/conformance/smoke/names_check.py

section "translation validation (tests/conformance/validate/run.sh)"
tests/conformance/validate/run.sh

section "ES|QL reference evaluator unit tests (tests/conformance/engines/esql/tests)"
"${KQLPORT_ORACLES:-.oracles}/esql/bin/python" -m unittest discover \
  -s tests/conformance/engines/esql/tests -t tests/conformance/engines/esql/tests

section "differential conformance (tests/conformance/run/run.sh)"
tests/conformance/run/run.sh
