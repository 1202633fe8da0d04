#!/usr/bin/env bash
# Validate kqlport's deployable rule files with the targets' own readers.
#
#   tests/conformance/validate/rulefiles.sh [PATH ...]     default: rules/ ../shared/corpus
#
# Converts PATH... (and then the 300 hostile inputs of adversarial.py's generator) three times
# with --report json: the translations alone (--to spl,esql,eql),
# as Splunk savedsearches.conf stanzas (--to spl --format splunk) and as Elastic detection
# rules (--to esql,eql --format elastic), then runs rulefiles.py in the `rulefile` oracle venv:
# each stanza read back by Splunk's add-on factory .conf parser (one stanza, known keys only,
# the search read back equal to the translation; all stanzas joined still one per rule), each
# Elastic rule validated against schemas/elastic-detection-rule.schema.json with its query equal
# to the translation. Needs the oracles (tests/conformance/setup-oracles.sh rulefile).
# Last line: `N passed, M failed`. Exit 1 on any failure. Work files: $KQLPORT_VALIDATE_DIR
# (default <target dir>/conformance-rulefiles).
#
# Environment: KQLPORT_ORACLES, KQLPORT_SKIP_CORPUS=1, KQLPORT_BIN.
set -euo pipefail
# shellcheck source=../lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib.sh"
cd "$REPO_ROOT"
exec </dev/null

paths=("$@")
default_paths rulefiles validating

target_dir=${CARGO_TARGET_DIR:-$REPO_ROOT/target}
work=${KQLPORT_VALIDATE_DIR:-$target_dir/conformance-rulefiles}
rm -rf "$work"
mkdir -p "$work"

kqlport_bin rulefiles

run_convert() { # name, convert arguments...
    local name=$1 rc=0
    shift
    echo "rulefiles: kqlport convert $* --report json ${paths[*]}" | head -c 300; echo
    "$bin" convert "$@" --report json "${paths[@]}" >"$name.jsonl" 2>"$name.stderr" || rc=$?
    # 0: everything translated; 1: something was declined or not parsed (not a failure here).
    if [ $rc -gt 1 ] || [ ! -s "$name.jsonl" ]; then
        echo "rulefiles: kqlport convert failed (exit $rc):" >&2
        tail -n 30 "$name.stderr" >&2
        echo "0 passed, 1 failed"
        exit 1
    fi
}
convert_all() { # work directory
    run_convert "$1/query" --to spl,esql,eql
    run_convert "$1/splunk" --to spl --format splunk
    run_convert "$1/elastic" --to esql,eql --format elastic
}

py=$ORACLES/rulefile/bin/python
if [ ! -x "$py" ]; then
    echo "rulefiles: no rulefile oracle at $ORACLES/rulefile (run tests/conformance/setup-oracles.sh rulefile)" >&2
    echo "0 passed, 1 failed"
    exit 1
fi

mkdir -p "$work/corpus"
convert_all "$work/corpus"

# The 300 hostile inputs adversarial.py generates (every line terminator, brackets, backslashes,
# quotes and comment markers in file names, rule names, descriptions and string literals),
# written by its own generator (the sigma venv has the PyYAML it imports).
adv=$work/adversarial
mkdir -p "$adv/in"
"$ORACLES/sigma/bin/python" - "$CONFORMANCE_DIR/validate/adversarial.py" "$adv/in" <<'PY'
import importlib.util, os, random, sys
spec = importlib.util.spec_from_file_location("adversarial", sys.argv[1])
adv = importlib.util.module_from_spec(spec)
spec.loader.exec_module(adv)
rng = random.Random(adv.SEED)
for i in range(300):
    name, content, _ = adv.generate(rng, i)
    with open(os.path.join(sys.argv[2], name), "w", encoding="utf-8", newline="") as f:
        f.write(content)
PY
paths=("$adv/in")
convert_all "$adv"

exec "$py" "$CONFORMANCE_DIR/validate/rulefiles.py" "$work/corpus" "$adv"
