#!/usr/bin/env bash
# Install kqlport's conformance-test oracles, pinned, idempotently, with no prompts.
#
#   tests/conformance/setup-oracles.sh [--force] [GROUP ...]      GROUP: kql esql sigma rulefile node spl
#
# Installs into $KQLPORT_ORACLES (default <repo>/.oracles, gitignored), one directory per
# group, each Python group in its own venv (they pin conflicting antlr runtimes):
#   kql    Python 3.11 venv: duckdb-kql[duckdb,pandas], eql          (executes KQL; executes EQL)
#   esql   Python >=3.12 venv: detection-rules-esql-py               (ES|QL grammar + esql.Schema checks)
#   sigma  Python 3.11 venv: sigma-cli, pysigma-backend-sqlite, check-jsonschema
#   rulefile Python 3.11 venv: addonfactory-splunk-conf-parser-lib, jsonschema (rule files)
#   node   npm ci of node/package-lock.json: @kusto/language-service-next (Kusto.Language in JS)
#   spl    Python 2.7, pip --target: splparser + ply; skipped with a message if no Python 2.7
#
# Versions come from requirements/*.txt (full locks with sha256, --require-hashes) and
# node/package-lock.json (npm ci). A group is up to date when its stamp file holds the hash
# of its lock + interpreter version + STAMP_REV; then nothing runs for it. A stamp is
# written only after the install and an import check succeeded. Logs: $ORACLES/logs/.
#
# Environment:
#   KQLPORT_ORACLES             install root
#   KQLPORT_PYTHON_{KQL,ESQL,SIGMA,SPL}   interpreter to use for a group (default: searched)
#   KQLPORT_ORACLES_SKIP        space-separated groups not to install (e.g. "spl")
#   KQLPORT_ORACLES_NO_HASHES=1 drop the --hash lines (other CPU/OS than the lock's linux x86_64)
set -euo pipefail
# shellcheck source=lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

STAMP_REV=2 # bump when this script changes how a group is built
ALL_GROUPS=(kql esql sigma rulefile node spl)
REQ=$CONFORMANCE_DIR/requirements

force=0
groups=()
for arg in "$@"; do
    case "$arg" in
        --force) force=1 ;;
        -h | --help)
            sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
            exit 0
            ;;
        kql | esql | sigma | rulefile | node | spl) groups+=("$arg") ;;
        *)
            echo "setup-oracles: unknown argument '$arg' (groups: ${ALL_GROUPS[*]}; --force)" >&2
            exit 2
            ;;
    esac
done
[ ${#groups[@]} -gt 0 ] || groups=("${ALL_GROUPS[@]}")

mkdir -p "$ORACLES/logs"
ORACLES=$(cd "$ORACLES" && pwd)
export KQLPORT_ORACLES=$ORACLES
# Never prompt, never wait on stdin, no self-update checks.
export PIP_NO_INPUT=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false npm_config_yes=true
exec </dev/null

# One installer at a time per install root (parallel test jobs may all call this).
exec 9>"$ORACLES/.setup.lock"
if ! flock -w 1800 9; then
    echo "setup-oracles: timed out waiting for another setup-oracles.sh on $ORACLES" >&2
    exit 1
fi

say() { printf '%-6s %s\n' "$1" "$2"; }

hash_mode() { if [ "${KQLPORT_ORACLES_NO_HASHES:-0}" = 1 ]; then echo nohash; else echo hash; fi; }

# The requirements file pip reads: the lock, or the lock without its --hash lines.
req_file() {
    local g=$1
    if [ "$(hash_mode)" = nohash ]; then
        sed -e 's/ \\$//' -e '/^ *--hash=/d' "$REQ/$g.txt" >"$ORACLES/logs/$g.nohash.txt"
        echo "$ORACLES/logs/$g.nohash.txt"
    else
        echo "$REQ/$g.txt"
    fi
}

pip_hash_flag() { if [ "$(hash_mode)" = hash ]; then echo --require-hashes; fi; }

# ---- per-group: key (what the stamp must hold), healthy (cheap presence check), build ----

import_check_kql='import duckdb, duckdb_kql, eql; from eql.engine import PythonEngine; duckdb_kql.kql(duckdb_kql.connect(), "print x = 1").fetchall()'
import_check_esql='import esql; esql.parse_query("FROM logs-* | LIMIT 1")'
import_check_sigma='import sigma, sigma.backends.sqlite, check_jsonschema'
import_check_rulefile='import addonfactory_splunk_conf_parser_lib, jsonschema; jsonschema.Draft202012Validator'

key_py() { # group interpreter
    stamp_hash "group=$1" "rev=$STAMP_REV" "$(hash_mode)" "python=$(python_version_of "$2")" "$REQ/$1.txt"
}

healthy_py() { [ -x "$ORACLES/$1/bin/python" ] && "$ORACLES/$1/bin/python" -c '' 2>/dev/null; }

build_py() { # group interpreter import-check
    local g=$1 py=$2 check=$3 dir=$ORACLES/$1 req
    rm -rf "$dir"
    "$py" -m venv "$dir"
    req=$(req_file "$g")
    # Wheels only: every locked package has one for this platform, so nothing is compiled and
    # no unpinned build dependency is fetched.
    # shellcheck disable=SC2046
    "$dir/bin/python" -m pip install --no-input $(pip_hash_flag) --only-binary=:all: -r "$req"
    "$dir/bin/python" -c "$check"
}

key_node() {
    stamp_hash "group=node" "rev=$STAMP_REV" "node=$(node --version 2>/dev/null)" \
        "$CONFORMANCE_DIR/node/package.json" "$CONFORMANCE_DIR/node/package-lock.json"
}

healthy_node() { [ -f "$ORACLES/node/node_modules/@kusto/language-service-next/Kusto.Language.Bridge.js" ]; }

build_node() {
    local dir=$ORACLES/node
    rm -rf "$dir"
    mkdir -p "$dir"
    cp "$CONFORMANCE_DIR/node/package.json" "$CONFORMANCE_DIR/node/package-lock.json" "$dir/"
    (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=warn)
    node -e '
        const d = process.argv[1] + "/node_modules/@kusto/language-service-next/";
        require(d + "bridge.js"); require(d + "Kusto.Language.Bridge.js");
        const c = Kusto.Language.KustoCode.ParseAndAnalyze("print x = 1");
        if (c.GetDiagnostics().Count !== 0) process.exit(1);' "$dir"
}

key_spl() {
    stamp_hash "group=spl" "rev=$STAMP_REV" "$(hash_mode)" "python=$(python_version_of "$1")" "$REQ/spl.txt"
}

healthy_spl() { [ -x "$ORACLES/spl/bin/python" ] && [ -d "$ORACLES/spl/site/splparser" ]; }

healthy() {
    case "$1" in
        node) healthy_node ;;
        spl) healthy_spl ;;
        *) healthy_py "$1" ;;
    esac
}

build_spl() { # interpreter
    local py=$1 dir=$ORACLES/spl req
    rm -rf "$dir"
    mkdir -p "$dir/bin"
    req=$(req_file spl)
    # Python 2.7 has no venv module: install into a private directory and run it through a
    # wrapper that puts that directory on sys.path (-s: ignore the user site).
    # shellcheck disable=SC2046
    "$py" -m pip install --no-input --disable-pip-version-check $(pip_hash_flag) --no-deps \
        --target "$dir/site" -r "$req"
    cat >"$dir/bin/python" <<EOF
#!/bin/sh
# splparser's Python 2.7 (written by tests/conformance/setup-oracles.sh)
PYTHONPATH="$dir/site\${PYTHONPATH:+:\$PYTHONPATH}" exec "$py" -s "\$@"
EOF
    chmod +x "$dir/bin/python"
    # splparser hands ply a table-module name ply never finds, so ply regenerates ~67 LALR
    # tables (and warns) in every process. Generate them once and put them where ply looks.
    mkdir -p "$dir/tabs/parsetabs"
    (cd "$dir/tabs" && "$dir/bin/python" -c 'import splparser; splparser.parse("search index=main | stats count by host")')
    cp "$dir/tabs/parsetabs/"*_parsetab.py "$dir/site/splparser/rules/"
    rm -rf "$dir/tabs"
    (cd "$dir" && "$dir/bin/python" -c 'import splparser, ply; splparser.parse("search index=main | head 1")') 2>&1 |
        { if grep -q 'Generating LALR'; then echo "ply still regenerates its tables" >&2; exit 1; fi; }
}

# ---- driver ----

installed=()
failed=()
skipped=()

install_group() {
    local g=$1 py="" key ver="" what
    if [[ " ${KQLPORT_ORACLES_SKIP:-} " == *" $g "* ]]; then
        say "$g" "skipped (KQLPORT_ORACLES_SKIP)"
        skipped+=("$g")
        return 0
    fi
    case "$g" in
        node)
            if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
                say "$g" "FAILED: node and npm are needed (Debian: apt-get install nodejs npm)"
                failed+=("$g")
                return 0
            fi
            key=$(key_node)
            what="npm ci @kusto/language-service-next ($(node --version))"
            ;;
        spl)
            if ! find_python spl; then
                # splparser is Python 2 only (print statements); there is no Python 3 port.
                mkdir -p "$ORACLES/spl"
                rm -f "$ORACLES/spl/.stamp"
                echo "no Python 2.7: $FIND_PYTHON_WHY. Debian bookworm's apt has no python2.7 package and PyPI ships no interpreter." \
                    >"$ORACLES/spl/SKIPPED"
                say "$g" "skipped: $(cat "$ORACLES/spl/SKIPPED")"
                skipped+=("$g")
                return 0
            fi
            py=$FOUND_PYTHON
            ver=$(python_version_of "$py")
            key=$(key_spl "$py")
            what="pip --target splparser ply (python $ver, $py)"
            ;;
        *)
            if ! find_python "$g"; then
                [ "$g" = esql ] && FIND_PYTHON_WHY="$FIND_PYTHON_WHY (Debian bookworm's apt has only python3.11; pyenv's prebuilt 3.12/3.13 are what this needs)"
                say "$g" "FAILED: $FIND_PYTHON_WHY"
                failed+=("$g")
                return 0
            fi
            py=$FOUND_PYTHON
            ver=$(python_version_of "$py")
            key=$(key_py "$g" "$py")
            what="venv + pip install -r requirements/$g.txt (python $ver, $py)"
            ;;
    esac

    local stamp=$ORACLES/$g/.stamp
    if [ $force = 0 ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ] && healthy "$g"; then
        say "$g" "up to date"
        return 0
    fi

    printf '%-6s installing: %s ... ' "$g" "$what"
    local log=$ORACLES/logs/$g.log t0=$SECONDS rc=0
    rm -f "$stamp"
    # In the background so that `set -e` holds inside the build (bash ignores -e in a
    # function called from an `||` list); any failing step fails the group.
    (
        set -euo pipefail
        echo "== $(date -u +%FT%TZ) setup-oracles.sh $g"
        case "$g" in
            kql) build_py kql "$py" "$import_check_kql" ;;
            esql) build_py esql "$py" "$import_check_esql" ;;
            sigma) build_py sigma "$py" "$import_check_sigma" ;;
            rulefile) build_py rulefile "$py" "$import_check_rulefile" ;;
            node) build_node ;;
            spl) build_spl "$py" ;;
        esac
    ) >"$log" 2>&1 &
    wait $! || rc=$?
    if [ $rc = 0 ]; then
        rm -f "$ORACLES/$g/SKIPPED"
        echo "$key" >"$stamp"
        echo "ok ($((SECONDS - t0))s)"
        installed+=("$g")
    else
        echo "FAILED (exit $rc, $((SECONDS - t0))s); last lines of $log:"
        tail -n 25 "$log" | sed 's/^/    | /'
        if grep -q 'THESE PACKAGES DO NOT MATCH THE HASHES\|Hashes are required' "$log"; then
            echo "    hint: the locks hash linux x86_64 wheels; elsewhere run with KQLPORT_ORACLES_NO_HASHES=1"
        fi
        failed+=("$g")
    fi
}

for g in "${groups[@]}"; do
    install_group "$g"
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "setup-oracles: FAILED: ${failed[*]} (logs in $ORACLES/logs)" >&2
    exit 1
fi
if [ ${#installed[@]} -eq 0 ]; then
    echo "oracles up to date ($ORACLES${skipped:+; skipped: ${skipped[*]}})"
else
    echo "oracles installed: ${installed[*]} ($ORACLES${skipped:+; skipped: ${skipped[*]}})"
fi
