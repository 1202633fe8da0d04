#!/usr/bin/env bash
# Adversarial inputs (crafted file names, literals, column names, rule metadata) converted to all
# four targets with -o, and every written file read back by the targets' own parsers: PyYAML +
# pySigma + `sigma check`, esql.parse_query, eql.parse_query, splparser (see adversarial.py).
#
#   tests/conformance/validate/adversarial.sh [COUNT]      default 300 inputs (fixed seed)
#
# Last line: `adversarial: N passed, M failed`; exit 1 on any failure. Work files:
# $KQLPORT_ADVERSARIAL_DIR (default <target dir>/conformance-adversarial), report.json there.
# Environment: KQLPORT_ORACLES, KQLPORT_BIN (use this kqlport binary instead of building one).
set -euo pipefail
# shellcheck source=../lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib.sh"
cd "$REPO_ROOT"
export KQLPORT_ORACLES=$ORACLES
exec </dev/null

target_dir=${CARGO_TARGET_DIR:-$REPO_ROOT/target}
work=${KQLPORT_ADVERSARIAL_DIR:-$target_dir/conformance-adversarial}
rm -rf "$work"
mkdir -p "$work"

kqlport_bin adversarial
exec "$ORACLES/sigma/bin/python" "$CONFORMANCE_DIR/validate/adversarial.py" "$bin" "$work" "${1:-300}"
