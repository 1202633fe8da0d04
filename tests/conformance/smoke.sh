#!/usr/bin/env bash
# Prove each conformance oracle works: one PASS / FAIL / SKIP line per oracle.
#
#   tests/conformance/smoke.sh [--no-setup] [--probe]
#
# Runs setup-oracles.sh first (seconds when everything is installed) unless --no-setup.
# --probe also prints duckdb-kql's capability table (smoke/kql_probe.py).
# Exit status: 0 when nothing FAILed (SKIP is not a failure), 1 otherwise.
set -uo pipefail
# shellcheck source=lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
SMOKE=$CONFORMANCE_DIR/smoke

setup=1
probe=0
for arg in "$@"; do
    case "$arg" in
        --no-setup) setup=0 ;;
        --probe) probe=1 ;;
        -h | --help) sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "smoke.sh: unknown argument '$arg'" >&2; exit 2 ;;
    esac
done
exec </dev/null

if [ $setup = 1 ]; then
    if ! "$CONFORMANCE_DIR/setup-oracles.sh"; then
        echo "smoke.sh: setup-oracles.sh failed; the smoke tests of the missing oracles will FAIL" >&2
    fi
fi
export KQLPORT_ORACLES=$ORACLES PYTHONDONTWRITEBYTECODE=1

failed=0
# run NAME INTERPRETER SCRIPT: the script prints its own PASS/FAIL line.
run() {
    local name=$1 interp=$2 script=$3 out rc
    if [ ! -x "$interp" ] && ! command -v "$interp" >/dev/null 2>&1; then
        echo "FAIL $name: $interp is missing (run tests/conformance/setup-oracles.sh)"
        failed=1
        return
    fi
    out=$(cd "$SMOKE" && timeout 600 "$interp" "$script" 2>&1)
    rc=$?
    # The PASS/FAIL line, plus anything else on failure (tracebacks).
    if [ $rc = 0 ] && grep -q '^PASS ' <<<"$out"; then
        grep '^PASS ' <<<"$out"
    else
        if grep -q '^FAIL ' <<<"$out"; then grep '^FAIL ' <<<"$out"; else echo "FAIL $name: exit $rc"; fi
        grep -v '^FAIL ' <<<"$out" | tail -n 20 | sed 's/^/    | /'
        failed=1
    fi
}

run kql "$ORACLES/kql/bin/python" kql_smoke.py
run eql "$ORACLES/kql/bin/python" eql_smoke.py
run esql "$ORACLES/esql/bin/python" esql_smoke.py
run sigma "$ORACLES/sigma/bin/python" sigma_smoke.py
run kusto node kusto_smoke.js
if [ -f "$ORACLES/spl/SKIPPED" ] && [ ! -f "$ORACLES/spl/.stamp" ]; then
    echo "SKIP spl: $(cat "$ORACLES/spl/SKIPPED")"
else
    run spl "$ORACLES/spl/bin/python" spl_smoke.py
fi

if [ $probe = 1 ] && [ -x "$ORACLES/kql/bin/python" ]; then
    echo
    (cd "$SMOKE" && "$ORACLES/kql/bin/python" kql_probe.py)
fi
exit $failed
