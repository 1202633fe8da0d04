#!/usr/bin/env bash
# kqlport against sigma-cli on the same rules, in one run: the corpus rules kqlport translates
# to Sigma (`kqlport convert --to sigma --format json`) are written out as Sigma YAML and
# converted to Splunk SPL by sigma-cli (`sigma convert -t splunk --without-pipeline`: kqlport's
# Sigma keeps Sentinel field names, so no Splunk field mapping applies); the same KQL files are
# converted by kqlport (`--to spl`). Each side is one process over all the rules, timed 5 times;
# prints rules/s of each and the ratio (median wall), and the fastest run's and the CPU time's.
#
# sigma-cli with the Splunk backend: $SIGMA if set (path to a `sigma` executable), else the
# oracle venv's when it has the splunk target, else a throwaway venv at $KQLPORT_BENCH_VENV
# (default /tmp/kqlport-bench-sigma-venv), created with `pip install sigma-cli
# pysigma-backend-splunk` on first use. The oracle venv and the conformance locks are never changed.
# Usage: scripts/bench-vs-sigma.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
exec </dev/null

die() { printf 'bench-vs-sigma.sh: %s\n' "$1" >&2; exit 1; }

corpus=${KQLPORT_CORPUS:-$root/../shared/corpus}
[ -f "$corpus/MANIFEST.tsv" ] || die "no corpus at $corpus (no MANIFEST.tsv); set KQLPORT_CORPUS"
corpus=$(cd "$corpus" && pwd)
command -v python3 >/dev/null || die "python3 is needed"

has_splunk() { "$1" list targets 2>/dev/null | grep -qw splunk; }
oracles=${KQLPORT_ORACLES:-}
if [ -z "$oracles" ]; then
    for d in "$root/.oracles" /work/main/.oracles; do
        if [ -d "$d" ]; then oracles=$d; break; fi
    done
fi
if [ -n "${SIGMA:-}" ]; then
    [ -x "$SIGMA" ] || die "SIGMA=$SIGMA is not an executable"
    has_splunk "$SIGMA" || die "SIGMA=$SIGMA has no splunk target (pip install pysigma-backend-splunk)"
    sigma=$SIGMA
elif [ -n "$oracles" ] && [ -x "$oracles/sigma/bin/sigma" ] && has_splunk "$oracles/sigma/bin/sigma"; then
    sigma=$oracles/sigma/bin/sigma
else
    venv=${KQLPORT_BENCH_VENV:-/tmp/kqlport-bench-sigma-venv}
    if [ ! -x "$venv/bin/sigma" ] || ! has_splunk "$venv/bin/sigma"; then
        echo "creating $venv with sigma-cli and pysigma-backend-splunk (PyPI)" >&2
        python3 -m venv "$venv" || die "cannot create a venv at $venv"
        "$venv/bin/pip" install -q sigma-cli pysigma-backend-splunk \
            || die "pip install sigma-cli pysigma-backend-splunk failed"
    fi
    has_splunk "$venv/bin/sigma" || die "$venv/bin/sigma still has no splunk target"
    sigma=$venv/bin/sigma
fi
sigma_python=$(dirname "$sigma")/python
versions=$("$sigma_python" -m pip list 2>/dev/null | awk 'tolower($1) ~ /^(sigma-cli|pysigma|pysigma-backend-splunk)$/ {printf "%s %s, ", $1, $2}')

echo "building kqlport (release)" >&2
cargo build --release --locked -q -p kqlport-cli
bin=${CARGO_TARGET_DIR:-$root/target}/release/kqlport
[ -x "$bin" ] || die "no binary at $bin after the build"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kqlport-vs-sigma.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The whole corpus: every file its manifest lists, named on the command line (a directory walk
# would skip its Markdown and .txt files).
python3 "$root/scripts/corpus-files.py" "$corpus" "$tmp/files.txt"
mapfile -t files <"$tmp/files.txt"

# Which rules kqlport expresses in Sigma. Exit status 1 (some query declined or failed) is normal.
set +e
"$bin" convert --to sigma --format json "${files[@]}" >"$tmp/sigma.jsonl" 2>"$tmp/sigma.err"
status=$?
set -e
[ "$status" -le 1 ] || die "kqlport convert --to sigma exited with $status: $(tail -3 "$tmp/sigma.err")"

# Sigma rules to $tmp/sigma/, the list of their KQL files to $tmp/kql-files.txt. A file
# holding several queries (Markdown) is left out of both sides, so both convert exactly the same
# rules: one query, one Sigma rule, one SPL search.
python3 - "$tmp" <<'PY'
import json, os, sys
from collections import Counter
tmp = sys.argv[1]
rows = []
with open(os.path.join(tmp, "sigma.jsonl"), encoding="utf-8") as f:
    for n, line in enumerate(f, 1):
        line = line.strip()
        if not line:
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as e:
            sys.exit(f"bench-vs-sigma.sh: kqlport's JSON line {n} is not JSON: {e}")
per_file = Counter(r["file"] for r in rows)
ok = [r for r in rows if r["status"] in ("exact", "approximate") and r.get("output")]
os.makedirs(os.path.join(tmp, "sigma"))
kept = skipped = 0
kql_files = []
for r in ok:
    if per_file[r["file"]] != 1:
        skipped += 1
        continue
    kept += 1
    with open(os.path.join(tmp, "sigma", f"{kept:05d}.yml"), "w", encoding="utf-8") as out:
        out.write(r["output"])
    kql_files.append(r["file"])
with open(os.path.join(tmp, "kql-files.txt"), "w", encoding="utf-8") as out:
    out.write("".join(p + "\n" for p in kql_files))
if kept == 0:
    sys.exit("bench-vs-sigma.sh: kqlport translated no single-query corpus file to Sigma")
print(f"{len(rows)} kqlport results (one per query, or per file that failed to load); {len(ok)} translated to Sigma; {kept} from single-query files "
      f"used ({skipped} from multi-query Markdown files left out of both sides)")
PY

# sigma-cli stops the whole batch at the first rule its Splunk backend refuses (e.g. case-sensitive
# matching), even with -s. So, untimed, each rule is converted on its own in sigma-cli's Python,
# and a rule it refuses leaves both sides: both then convert the same rules, all of them.
"$sigma_python" - "$tmp" <<'PY' || die "the sigma-cli pre-check failed (see above)"
import os, sys
from sigma.backends.splunk import SplunkBackend
from sigma.collection import SigmaCollection
tmp = sys.argv[1]
sigma_dir = os.path.join(tmp, "sigma")
names = sorted(os.listdir(sigma_dir))
with open(os.path.join(tmp, "kql-files.txt"), encoding="utf-8") as f:
    kql_files = f.read().splitlines()
assert len(names) == len(kql_files)
reasons = {}
kept = []
for name, kql in zip(names, kql_files):
    path = os.path.join(sigma_dir, name)
    try:
        with open(path, encoding="utf-8") as f:
            SplunkBackend().convert(SigmaCollection.from_yaml(f.read()))
        kept.append(kql)
    except Exception as e:  # any refusal or error: the rule leaves both sides
        why = str(e).split(" (while converting")[0].strip() or type(e).__name__
        reasons[why] = reasons.get(why, 0) + 1
        os.remove(path)
with open(os.path.join(tmp, "kql-files.txt"), "w", encoding="utf-8") as f:
    f.write("".join(p + "\n" for p in kept))
refused = sum(reasons.values())
detail = "; ".join(f"{n}: {k}" for k, n in sorted(reasons.items(), key=lambda kv: -kv[1]))
print(f"sigma-cli's Splunk backend refuses {refused} of them ({detail or 'none'}); {len(kept)} rules compared")
if not kept:
    sys.exit("bench-vs-sigma.sh: no rule left that both convert")
PY
rules=$(find "$tmp/sigma" -name '*.yml' | wc -l)

# Wall and CPU time of 5 runs of each side; status 0 or 1 accepted for kqlport (a query SPL
# declines), 0 for sigma-cli (-s skips a rule its backend cannot handle instead of failing).
python3 - "$tmp" "$rules" "$bin" "$sigma" "$versions" <<'PY'
import os, statistics, subprocess, sys, tempfile, time
tmp, rules, kqlport, sigma, versions = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
with open(os.path.join(tmp, "kql-files.txt"), encoding="utf-8") as f:
    kql_files = f.read().splitlines()
sides = {
    "kqlport --to spl": ([kqlport, "convert", "--to", "spl", "--format", "json"] + kql_files,
                         (0, 1), os.path.join(tmp, "kqlport-out.jsonl")),
    "sigma-cli -t splunk": ([sigma, "convert", "-t", "splunk", "--without-pipeline", "-s",
                             "-o", os.path.join(tmp, "sigma-out.txt"), os.path.join(tmp, "sigma")],
                            (0,), None),
}
# Median wall time is the headline; the fastest run and the CPU time (user + system, least of
# the runs) say how much of it a busy machine added.
RUNS = 5
times, fastest, cpu = {}, {}, {}
for name, (cmd, accepted, stdout_path) in sides.items():
    runs, cpus = [], []
    for _ in range(RUNS):
        with open(stdout_path or os.devnull, "w") as out, tempfile.TemporaryFile() as err:
            start = time.perf_counter()
            p = subprocess.Popen(cmd, stdout=out, stderr=err)
            _, status, usage = os.wait4(p.pid, 0)
            runs.append(time.perf_counter() - start)
            cpus.append(usage.ru_utime + usage.ru_stime)
            code = os.waitstatus_to_exitcode(status)
            if code not in accepted:
                err.seek(0)
                tail = err.read()[-2000:].decode("utf-8", "replace")
                sys.exit(f"bench-vs-sigma.sh: {name} exited with {code}:\n{tail}")
    times[name] = statistics.median(runs)
    fastest[name] = min(runs)
    cpu[name] = min(cpus)

import json
spl_ok = 0
with open(os.path.join(tmp, "kqlport-out.jsonl"), encoding="utf-8") as f:
    for line in f:
        if line.strip() and json.loads(line)["status"] in ("exact", "approximate"):
            spl_ok += 1
with open(os.path.join(tmp, "sigma-out.txt"), encoding="utf-8") as f:
    sigma_ok = sum(1 for line in f if line.strip())

k, s = times["kqlport --to spl"], times["sigma-cli -t splunk"]
kf, sf = fastest["kqlport --to spl"], fastest["sigma-cli -t splunk"]
kc, sc = cpu["kqlport --to spl"], cpu["sigma-cli -t splunk"]
print(f"\nsame {rules} rules, one process each, {RUNS} runs ({versions.rstrip(', ')}; load average {os.getloadavg()[0]:.1f})")
print(f"{'side':<22} {'wall median':>12} {'rules/s':>8} {'fastest':>10} {'CPU':>10}")
print(f"{'kqlport --to spl':<22} {k*1000:>10.1f}ms {rules/k:>8.0f} {kf*1000:>8.1f}ms {kc*1000:>8.1f}ms   ({spl_ok} of {rules} translated to SPL)")
print(f"{'sigma-cli -t splunk':<22} {s*1000:>10.1f}ms {rules/s:>8.0f} {sf*1000:>8.1f}ms {sc*1000:>8.1f}ms   ({sigma_ok} non-empty lines of SPL written)")
print(f"ratio (kqlport rules/s ÷ sigma-cli rules/s): {s/k:.1f}× (median wall); {sf/kf:.1f}× fastest wall; {sc/kc:.1f}× CPU time")
PY
