#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs what the tests need, then runs them.
# This is the README's test command, and .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d ../shared/corpus ]; then
  echo "error: ../shared/corpus not found beside this checkout; the corpus tests need it" >&2
  echo "       (set KQLPORT_SKIP_CORPUS=1 to run without it)" >&2
  [ "${KQLPORT_SKIP_CORPUS:-0}" = 1 ] || exit 1
fi

cargo test --workspace --locked
