# shellcheck shell=bash
# Shared by setup-oracles.sh, smoke.sh and requirements/lock.sh. Source it; it defines
# variables and functions only.
#
#   CONFORMANCE_DIR  this directory (tests/conformance)
#   REPO_ROOT        the repository root
#   ORACLES          $KQLPORT_ORACLES, or <repo>/.oracles (gitignored); in a git worktree
#                    without its own .oracles, the main checkout's
#   find_python GROUP   sets FOUND_PYTHON to the interpreter a group is built with, or
#                       returns 1 with the reason in FIND_PYTHON_WHY (call it directly,
#                       not in $(...), so the variables survive)

CONFORMANCE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$CONFORMANCE_DIR/../.." && pwd)
if [ -n "${KQLPORT_ORACLES:-}" ]; then
    ORACLES=$KQLPORT_ORACLES
elif [ -d "$REPO_ROOT/.oracles" ]; then
    ORACLES=$REPO_ROOT/.oracles
else
    _common=$(git -C "$REPO_ROOT" rev-parse --path-format=absolute --git-common-dir 2>/dev/null || true)
    if [ -n "$_common" ] && [ -d "${_common%/.git}/.oracles" ]; then
        ORACLES=${_common%/.git}/.oracles
    else
        ORACLES=$REPO_ROOT/.oracles
    fi
fi

# Which Python each group needs: "exact X.Y" or "min X.Y" (newest first among candidates).
# kql/sigma: 3.11 is what the oracles were tried with (duckdb-kql needs >=3.11).
# esql: detection-rules-esql-py requires >=3.12.  spl: splparser is Python 2 only.
python_need() {
    case "$1" in
        kql | sigma | rulefile) echo "exact 3.11" ;;
        esql) echo "min 3.12" ;;
        spl) echo "exact 2.7" ;;
        *) return 1 ;;
    esac
}

# Explicit override per group: KQLPORT_PYTHON_KQL, KQLPORT_PYTHON_ESQL, KQLPORT_PYTHON_SIGMA, KQLPORT_PYTHON_SPL,
# KQLPORT_PYTHON_RULEFILE.
python_override_var() { echo "KQLPORT_PYTHON_$(echo "$1" | tr '[:lower:]' '[:upper:]')"; }

pyenv_root() {
    if [ -n "${PYENV_ROOT:-}" ]; then
        echo "$PYENV_ROOT"
    elif command -v pyenv >/dev/null 2>&1; then
        pyenv root 2>/dev/null || echo "$HOME/.pyenv"
    else
        echo "$HOME/.pyenv"
    fi
}

# python_ok INTERPRETER KIND X.Y -> 0 if it runs, matches, and can make an environment.
python_ok() {
    local py=$1 kind=$2 want=$3 major minor
    major=${want%%.*}
    minor=${want#*.}
    [ -x "$py" ] || return 1
    if [ "$major" = 2 ]; then
        # Python 2 has no venv module; it installs with `pip --target`, so it needs pip.
        "$py" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (2, 7) else 1)' </dev/null >/dev/null 2>&1 &&
            "$py" -m pip --version </dev/null >/dev/null 2>&1
        return
    fi
    local op='=='
    [ "$kind" = min ] && op='>='
    "$py" -c "import sys, venv, ensurepip; sys.exit(0 if sys.version_info[:2] $op ($major, $minor) else 1)" \
        </dev/null >/dev/null 2>&1
}

find_python() {
    local group=$1 need kind want var cand root
    FIND_PYTHON_WHY=
    FOUND_PYTHON=
    need=$(python_need "$group") || { FIND_PYTHON_WHY="no python for group $group"; return 1; }
    kind=${need%% *}
    want=${need#* }
    var=$(python_override_var "$group")
    if [ -n "${!var:-}" ]; then
        if python_ok "${!var}" "$kind" "$want"; then
            FOUND_PYTHON=${!var}
            return 0
        fi
        FIND_PYTHON_WHY="$var=${!var} is not a usable Python $want (needs venv/ensurepip, or pip for 2.7)"
        return 1
    fi
    root=$(pyenv_root)
    local -a cands=()
    if [ "$kind" = exact ]; then
        # pyenv's own builds first (newest patch release), then whatever is on PATH.
        while IFS= read -r cand; do cands+=("$cand"); done < <(
            ls -d "$root/versions/$want".* 2>/dev/null | grep -E "/$want\.[0-9]+$" | sort -rV |
                sed "s|\$|/bin/python$want|")
        cands+=("$(command -v "python$want" 2>/dev/null || true)" "/usr/bin/python$want" "/usr/local/bin/python$want")
    else
        # min X.Y: the newest minor that exists. Prefer pyenv builds, then PATH.
        local minors
        minors=$(seq "${want#*.}" 20 | sort -rn)
        for m in $minors; do
            while IFS= read -r cand; do cands+=("$cand"); done < <(
                ls -d "$root/versions/3.$m".* 2>/dev/null | grep -E "/3\.$m\.[0-9]+$" | sort -rV |
                    sed "s|\$|/bin/python3.$m|")
        done
        for m in $minors; do
            cands+=("$(command -v "python3.$m" 2>/dev/null || true)" "/usr/bin/python3.$m" "/usr/local/bin/python3.$m")
        done
    fi
    local tried=()
    for cand in "${cands[@]}"; do
        [ -n "$cand" ] || continue
        # pyenv shims answer for versions that are not selected with an error; python_ok catches it.
        if python_ok "$cand" "$kind" "$want"; then
            FOUND_PYTHON=$cand
            return 0
        fi
        [ -e "$cand" ] && tried+=("$cand")
    done
    local what="Python $want"
    [ "$kind" = min ] && what="Python >= $want"
    FIND_PYTHON_WHY="no usable $what: looked in $root/versions and PATH${tried:+ (unusable: ${tried[*]})}; set $var to an interpreter"
    return 1
}

python_version_of() { "$1" -c 'import sys; print(".".join(map(str, sys.version_info[:3])))' </dev/null 2>/dev/null; }

# sha256 of the concatenation of files and strings, for stamps.
stamp_hash() {
    {
        local a
        for a in "$@"; do
            if [ -f "$a" ]; then cat "$a"; else printf '%s\n' "$a"; fi
        done
    } | sha256sum | cut -d' ' -f1
}

# The inputs a corpus-wide step reads when none are named: rules/ and ../shared/corpus, or
# rules/ alone when the corpus is missing and KQLPORT_SKIP_CORPUS=1 (otherwise exit 1). Sets the
# array `paths` unless it already holds the step's own arguments. $1: the step's log prefix,
# $2: what it does with them ("validating", "checking").
default_paths() {
    [ ${#paths[@]} -eq 0 ] || return 0
    paths=(rules/)
    if [ -d ../shared/corpus ]; then
        paths+=(../shared/corpus)
    elif [ "${KQLPORT_SKIP_CORPUS:-0}" = 1 ]; then
        echo "$1: ../shared/corpus not found; KQLPORT_SKIP_CORPUS=1, $2 rules/ only"
    else
        echo "$1: ../shared/corpus not found beside this checkout (KQLPORT_SKIP_CORPUS=1 to skip it)" >&2
        exit 1
    fi
}

# The kqlport binary a step runs, in `bin`: $KQLPORT_BIN, else a debug build made now (the
# build is announced as "$1: cargo build …" when $1 is given).
kqlport_bin() {
    if [ -n "${KQLPORT_BIN:-}" ]; then
        bin=$KQLPORT_BIN
        return 0
    fi
    [ -z "${1:-}" ] || echo "$1: cargo build --locked -p kqlport-cli"
    cargo build --locked -q -p kqlport-cli
    bin=${CARGO_TARGET_DIR:-$REPO_ROOT/target}/debug/kqlport
}
