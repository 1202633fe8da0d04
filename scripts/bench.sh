#!/usr/bin/env bash
# Measures kqlport on ../shared/corpus (or $KQLPORT_CORPUS): builds release, runs the divan
# benchmarks per stage (load, parse, lower in benches/stages.rs; each backend's translate in
# cli/benches/backends.rs), then times whole processes: `kqlport convert` of the whole corpus to
# one target and to all four (--format json to /dev/null), and one rule end to end. Wall time
# from hyperfine when installed (else one /usr/bin/time run each); peak RSS from /usr/bin/time -v.
# Measures only; it never fails on a slow result. Usage: scripts/bench.sh [--no-divan]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
exec </dev/null

die() { printf 'bench.sh: %s\n' "$1" >&2; exit 1; }
section() { printf '\n==== %s ====\n' "$1"; }

divan=1
case "${1:-}" in
    "") ;;
    --no-divan) divan=0 ;;
    *) die "unknown argument '$1' (usage: scripts/bench.sh [--no-divan])" ;;
esac

corpus=${KQLPORT_CORPUS:-$root/../shared/corpus}
[ -f "$corpus/MANIFEST.tsv" ] || die "no corpus at $corpus (no MANIFEST.tsv); set KQLPORT_CORPUS"
corpus=$(cd "$corpus" && pwd)
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (apt-get install time)"
single_rule=rules/seeds/tor_hunting.yaml
[ -f "$single_rule" ] || die "$single_rule is missing"

section "release build"
cargo build --release --locked -p kqlport-cli
bin=${CARGO_TARGET_DIR:-$root/target}/release/kqlport
[ -x "$bin" ] || die "no binary at $bin after the build"

if [ "$divan" = 1 ]; then
    section "divan: load, parse, lower (benches/stages.rs)"
    cargo bench --locked --bench stages
    section "divan: backends' translate (cli/benches/backends.rs)"
    cargo bench --locked -p kqlport-cli --bench backends
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kqlport-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The whole corpus: every file its manifest lists, named on the command line (a directory walk
# would skip its Markdown and .txt files). hyperfine takes one command string, and 2,000+ paths
# exceed the kernel's limit for one argument, so each case runs a tiny generated script that
# execs kqlport with the list (bash start-up, about 1 ms, is included in those times).
python3 "$root/scripts/corpus-files.py" "$corpus" "$tmp/files.txt"
mapfile -t files <"$tmp/files.txt"
write_runner() { # FILE ARGS...: a script that execs ARGS
    local out=$1; shift
    { echo '#!/usr/bin/env bash'; printf 'exec'; printf ' %q' "$@"; echo; } >"$out"
    chmod +x "$out"
}
write_runner "$tmp/convert-spl" "$bin" convert --to spl --format json "${files[@]}"
write_runner "$tmp/convert-all" "$bin" convert --to spl,esql,eql,sigma --format json "${files[@]}"
write_runner "$tmp/convert-one" "$bin" convert --to spl,esql,eql,sigma --format json "$root/$single_rule"

# name|command (a generated script: no spaces in its path)
cases=(
    "convert corpus --to spl|$tmp/convert-spl"
    "convert corpus --to spl,esql,eql,sigma|$tmp/convert-all"
    "convert 1 rule --to spl,esql,eql,sigma|$tmp/convert-one"
)

section "whole process (${#files[@]} corpus files; single rule: $single_rule)"
results=()
for c in "${cases[@]}"; do
    name=${c%%|*}
    cmd=${c#*|}
    # Peak RSS (and a wall time when hyperfine is absent) from one run. convert exits non-zero
    # (1) when any query is declined or fails, which the corpus always has: not an error here.
    set +e
    /usr/bin/time -v -o "$tmp/time.txt" "$cmd" >/dev/null 2>"$tmp/stderr.txt"
    status=$?
    set -e
    [ "$status" -le 1 ] || die "'$cmd' exited with $status: $(tail -3 "$tmp/stderr.txt")"
    rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tmp/time.txt")
    if command -v hyperfine >/dev/null; then
        hyperfine --shell=none --warmup 1 --min-runs 5 -i --export-json "$tmp/h.json" "$cmd" >/dev/null 2>&1 \
            || die "hyperfine failed on '$cmd'"
        wall=$(python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print("%.1f ms +- %.1f (hyperfine, %d runs)" % (r["mean"] * 1000, r["stddev"] * 1000, len(r["times"])))' "$tmp/h.json")
    else
        wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2 " (time -v, 1 run)"}' "$tmp/time.txt")
    fi
    results+=("$(printf '%-40s %-40s %8.1f MB  exit %s' "$name" "$wall" "$(awk -v k="$rss_kb" 'BEGIN { print k / 1024 }')" "$status")")
done

printf '\n%-40s %-40s %11s\n' "case" "wall" "peak RSS"
printf '%s\n' "${results[@]}"
