#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs what the tests need, then runs them.
# This is the README's test command, and .ci/run calls it.
#   1. conformance oracles (tests/conformance/setup-oracles.sh: pinned, idempotent; ~1-2 min cold)
#   2. cargo test --workspace --locked
#   3. the column names lowering gives unnamed expressions, checked against Kusto.Language
#      (tests/conformance/smoke/names_check.py)
#   4. kqlport check's unknown-column reports over ../shared/corpus against Kusto.Language's, given
#      the same schema (tests/conformance/smoke/columns_check.py, ~1-2 min)
#   5. every translation of rules/ and ../shared/corpus validated by the target's own tooling
#      (tests/conformance/validate/run.sh)
#   5b. the deployable rule files of rules/ and ../shared/corpus: every savedsearches.conf stanza
#      read back by Splunk's .conf parser, every Elastic rule against its JSON Schema
#      (tests/conformance/validate/rulefiles.sh; last line `N passed, M failed`)
#   6. every Lucene regex/wildcard of those ES|QL and EQL translations determinised as
#      Elasticsearch 9 (Lucene 10) does it, against Lucene's default work limit
#      (tests/conformance/lucene/run.sh; installs Debian's liblucene8-java if missing)
#   7. 300 generated adversarial inputs (line terminators and injection payloads in file names,
#      literals, column names, rule metadata) converted with -o; every written file read back by
#      PyYAML/pySigma/sigma check, the ES|QL and EQL parsers and splparser
#      (tests/conformance/validate/adversarial.sh; last line `adversarial: N passed, M failed`)
#   8. the ES|QL reference evaluator's unit tests, from Elastic's documentation examples
#      (tests/conformance/engines/esql/tests)
#   9. the differential conformance suite: every case in tests/conformance/cases run as KQL (expected rows from duckdb-kql)
#      and as each translation on the target's engine or parser (tests/conformance/run/run.sh;
#      summary `conformance: V verified-equal, …`, last line `N passed, M failed`)
#  10. the same cases through the `ecs` (EQL) and `sigma` (Sigma) field-mapping pipelines, each
#      case's events renamed by the same pipeline (run.sh --pipeline NAME)
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

if [ -d ../shared/corpus ]; then
  section "unknown columns vs Kusto.Language over the corpus (tests/conformance/smoke/columns_check.py)"
  "${KQLPORT_ORACLES:-.oracles}/kql/bin/python" tests/conformance/smoke/columns_check.py
fi

section "translation validation (tests/conformance/validate/run.sh)"
tests/conformance/validate/run.sh

section "rule files through Splunk's .conf parser and the Elastic rule schema (tests/conformance/validate/rulefiles.sh)"
tests/conformance/validate/rulefiles.sh

section "Lucene determinisation limits (tests/conformance/lucene/run.sh)"
tests/conformance/lucene/run.sh

section "adversarial outputs through the real parsers (tests/conformance/validate/adversarial.sh)"
tests/conformance/validate/adversarial.sh

section "ES|QL reference evaluator unit tests (tests/conformance/engines/esql/tests)"
"${KQLPORT_ORACLES:-.oracles}/esql/bin/python" -m unittest discover \
  -s tests/conformance/engines/esql/tests -t tests/conformance/engines/esql/tests

section "differential conformance (tests/conformance/run/run.sh)"
tests/conformance/run/run.sh

section "differential conformance through the ecs and sigma pipelines (run.sh --pipeline)"
tests/conformance/run/run.sh --no-setup --pipeline ecs
tests/conformance/run/run.sh --no-setup --pipeline sigma
