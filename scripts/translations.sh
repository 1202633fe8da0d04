#!/usr/bin/env bash
# Every translation kqlport emits for rules/ and ../shared/corpus, to all four targets, under the
# default pipelines and under `--pipeline none`, as JSON reports in OUT_DIR. A refactor must leave
# these byte-identical: run it before and after, then `diff -r BEFORE AFTER`.
#   scripts/translations.sh OUT_DIR [KQLPORT_BINARY]   (binary default: target/debug/kqlport)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: scripts/translations.sh OUT_DIR [KQLPORT_BINARY]}
bin=${2:-${CARGO_TARGET_DIR:-target}/debug/kqlport}
mkdir -p "$out"
for p in default none; do
  args=()
  [ "$p" = none ] && args=(--pipeline none)
  for src in rules ../shared/corpus; do
    name=$(basename "$src")
    "$bin" convert --to spl,esql,eql,sigma --report json "${args[@]}" "$src" \
      >"$out/$name.$p.json" 2>"$out/$name.$p.stderr" || true
  done
done
echo "wrote $(ls "$out" | wc -l) files to $out"
