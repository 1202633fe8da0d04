#!/usr/bin/env bash
# Every Lucene pattern kqlport emits for ES|QL (RLIKE, LIKE) and EQL (regex, regex~, like, :)
# over rules/ and ../shared/corpus, determinised as Elasticsearch 9 does it; fails on any that
# Elasticsearch would reject with TooComplexToDeterminizeException (RegexLimits.java says how).
#
#   tests/conformance/lucene/run.sh [PATH ...]      default: rules/ ../shared/corpus
#
# Needs java and javac (17) and Debian's Lucene jar (liblucene8-java, Lucene 8.7: Debian
# bookworm packages no Lucene 9 or 10); installs the package with apt-get when it is missing
# (idempotent; root, as on CI). Prints one summary line `lucene: …` with the worst pattern,
# then `N passed, M failed`; the per-pattern table goes to $work/lucene.tsv
# (OK|FAIL, effort, DFA states, where, kind, pattern). Exit 1 on any failure.
#
# Environment: KQLPORT_BIN (use this kqlport binary), KQLPORT_SKIP_CORPUS=1 (rules/ only
# when ../shared/corpus is missing), KQLPORT_LUCENE_JAR (a lucene-core jar to use instead).
set -euo pipefail
# shellcheck source=../lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib.sh"
cd "$REPO_ROOT"
exec </dev/null
here=$CONFORMANCE_DIR/lucene

find_jar() {
    if [ -n "${KQLPORT_LUCENE_JAR:-}" ]; then
        echo "$KQLPORT_LUCENE_JAR"
        return
    fi
    # No jar yet is not an error here (the caller installs one): without `|| true`, `ls`'s
    # status under pipefail would end the script before it could.
    { ls /usr/share/java/lucene-core-8.*.jar 2>/dev/null || true; } | sort -V | tail -n 1
}

jar=$(find_jar)
if [ -z "$jar" ] || ! command -v javac >/dev/null 2>&1; then
    pkgs=(liblucene8-java)
    command -v javac >/dev/null 2>&1 || pkgs+=(openjdk-17-jdk-headless)
    echo "lucene: installing ${pkgs[*]} (apt-get)"
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        echo "lucene: need root and apt-get to install ${pkgs[*]}; install it, or set KQLPORT_LUCENE_JAR" >&2
        echo "0 passed, 1 failed"
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    (
        flock 9
        apt-get install -y -q --no-install-recommends "${pkgs[@]}" >/dev/null 2>&1 || {
            apt-get update -q >/dev/null
            apt-get install -y -q --no-install-recommends "${pkgs[@]}" >/dev/null
        }
    ) 9>/tmp/kqlport-apt.lock
    jar=$(find_jar)
    if [ -z "$jar" ]; then
        echo "lucene: liblucene8-java installed no lucene-core-8.*.jar in /usr/share/java" >&2
        echo "0 passed, 1 failed"
        exit 1
    fi
fi

target_dir=${CARGO_TARGET_DIR:-$REPO_ROOT/target}
work=$target_dir/conformance-lucene
mkdir -p "$work"

# Compile the harness when it or the jar changed.
stamp=$( (sha256sum "$here/RegexLimits.java"; echo "$jar") | sha256sum | cut -d' ' -f1)
if [ "$(cat "$work/classes/.stamp" 2>/dev/null || true)" != "$stamp" ]; then
    rm -rf "$work/classes"
    mkdir -p "$work/classes"
    javac -nowarn -d "$work/classes" -cp "$jar" "$here/RegexLimits.java"
    echo "$stamp" >"$work/classes/.stamp"
fi

# The harness must be able to fail: `.*a[^x]{14}` determinises to 2^15 states (Lucene's
# classic example), `.*(a|b).*` to a handful.
printf 'probe-too-complex\tregexp\t.*a[^x]{14}\nprobe-small\tregexp\t.*(a|b).*\n' >"$work/probe.tsv"
if java -cp "$jar:$work/classes" RegexLimits <"$work/probe.tsv" >"$work/probe.out" 2>&1 ||
    ! grep -qP '^FAIL\t.*probe-too-complex' "$work/probe.out" ||
    ! grep -qP '^OK\t.*probe-small' "$work/probe.out"; then
    echo "lucene: the harness did not reject the probe pattern .*a[^x]{14}:" >&2
    cat "$work/probe.out" >&2
    echo "0 passed, 1 failed"
    exit 1
fi

paths=("$@")
default_paths lucene checking

kqlport_bin

set +e
"$bin" convert --to esql,eql --format json "${paths[@]}" >"$work/convert.jsonl" 2>"$work/convert.stderr"
rc=$?
set -e
if [ $rc -gt 1 ] || [ ! -s "$work/convert.jsonl" ]; then
    echo "lucene: kqlport convert failed (exit $rc):" >&2
    tail -n 30 "$work/convert.stderr" >&2
    echo "0 passed, 1 failed"
    exit 1
fi

python3 "$here/extract_patterns.py" "$work/convert.jsonl" >"$work/patterns.tsv"
set +e
java -cp "$jar:$work/classes" RegexLimits <"$work/patterns.tsv" >"$work/lucene.tsv" 2>"$work/lucene.stderr"
rc=$?
set -e
grep -P '^FAIL\t' "$work/lucene.tsv" | cut -c1-2000 || true
cat "$work/lucene.stderr"
exit $rc
