#!/usr/bin/env bash
# run.sh — runs every test suite against the ASan+UBSan build; `make test` calls it after building
# build/asan/dinhdanh and build/asan/tests/test_*.
#
# Suites: each cmocka unit binary once with DD_TEST_PG_URL set (a throwaway PostgreSQL cluster
# from tests/pg.sh), in which every database test runs on SQLite and on PostgreSQL; the Node API
# suite with DD_TEST_DB=sqlite and =postgres; and the browser test. A sanitizer report in any captured stderr counts as a failure. Logs go to
# build/test-logs/. The last line is always `N passed, N failed[, N skipped]`; exit 1 on failure.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# One cluster per checkout, remembered outside build/ so `make clean` cannot orphan it.
export DD_PG_STATE=/tmp/dinhdanh-test-pg.$(printf '%s' "$ROOT" | cksum | cut -d' ' -f1).state
LOGS=$ROOT/build/test-logs
SANITIZER='ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:'
PSQL=/usr/lib/postgresql/15/bin/psql
rm -rf "$LOGS"
mkdir -p "$LOGS"

PASS=0 FAIL=0 SKIP=0
SUMMARY=()

# record SUITE PASSED FAILED SKIPPED
record() {
    PASS=$((PASS + $2)) FAIL=$((FAIL + $3)) SKIP=$((SKIP + $4))
    local line
    line=$(printf '%-40s %4d passed %4d failed %4d skipped' "$1" "$2" "$3" "$4")
    SUMMARY+=("$line")
    echo "== $line"
}

# Counts files under a folder holding a sanitizer report, and shows the reports.
sanitizer_reports() {
    local n=0 f
    for f in $(grep -rlE "$SANITIZER" "$1" 2>/dev/null); do
        n=$((n + 1))
        echo "!! sanitizer report in $f:" >&2
        grep -m1 -A25 -E "$SANITIZER" "$f" >&2
    done
    echo "$n"
}

pg_db() { # pg_db NAME → URL of a new, empty database NAME
    PGOPTIONS="-c client_min_messages=warning" "$PSQL" -X -q "$PG_URL" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null &&
        echo "${PG_URL%/*}/$1"
}

# --- Node packages --------------------------------------------------------------------------
# Installed again when any package of tests/package.json is missing (one added since the last run).
npm_missing=0
for pkg in $(node -p 'Object.keys(require("./tests/package.json").devDependencies).join(" ")'); do
    [ -d "tests/node_modules/$pkg" ] || npm_missing=1
done
if [ "$npm_missing" = 1 ]; then
    echo "Installing the test suite's npm packages"
    if [ -f tests/package-lock.json ]; then
        (cd tests && npm ci --no-audit --no-fund --loglevel=error)
    else
        (cd tests && npm install --no-audit --no-fund --loglevel=error)
    fi || record "npm install" 0 1 0
fi

# --- PostgreSQL -----------------------------------------------------------------------------
PG_URL=$(tests/pg.sh start 2>"$LOGS/pg-start.log") || {
    cat "$LOGS/pg-start.log" >&2
    PG_URL=
}
trap 'tests/pg.sh stop >/dev/null 2>&1' EXIT
[ -n "$PG_URL" ] || record "postgresql cluster" 0 1 0

# --- cmocka unit tests ----------------------------------------------------------------------
run_unit() { # run_unit BIN MODE
    local bin=$1 mode=$2 name log rc p f s
    name=$(basename "$bin")
    log=$LOGS/unit-$name-$mode.log
    if [ "$mode" = postgres ]; then
        local url
        url=$(pg_db "u_${name#test_}") || {
            record "unit $name" 0 1 0
            return
        }
        DD_TEST_PG_URL=$url CMOCKA_MESSAGE_OUTPUT=TAP timeout 300 "$bin" >"$log" 2>&1
    else
        env -u DD_TEST_PG_URL CMOCKA_MESSAGE_OUTPUT=TAP timeout 300 "$bin" >"$log" 2>&1
    fi
    rc=$?
    p=$(grep -E '^ok [0-9]+' "$log" | grep -vc '# SKIP')
    f=$(grep -E '^not ok [0-9]+' "$log" | grep -vc '# SKIP')
    s=$(grep -E '^(not )?ok [0-9]+.*# SKIP' "$log" | grep -c .)
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "!! $name ($mode) exited with status $rc without a failed test (crash?)" >&2
        f=1
    fi
    if [ $((p + f + s)) -eq 0 ]; then
        echo "!! $name ($mode) ran no tests" >&2
        f=1
    fi
    if [ "$f" -gt 0 ]; then
        grep -E '^not ok|^# ' "$log" | grep -v '# SKIP' | head -40 >&2
        grep -m1 -A25 -E "$SANITIZER" "$log" >&2
    fi
    record "unit $name" "$p" "$f" "$s"
}

shopt -s nullglob
units=(build/asan/tests/test_*)
[ ${#units[@]} -gt 0 ] || echo "note: no unit test binaries in build/asan/tests/"
# One run per binary: with DD_TEST_PG_URL set, each database test runs on SQLite and again on
# PostgreSQL inside the binary, so every test is counted once.
for bin in "${units[@]}"; do
    [ -x "$bin" ] || continue
    if [ -n "$PG_URL" ]; then
        run_unit "$bin" postgres
    else
        run_unit "$bin" sqlite
    fi
done

# --- Node suites ----------------------------------------------------------------------------
run_node() { # run_node LABEL LOGNAME FILE... (environment set by the caller)
    local label=$1 tag=$2 rc p f c s
    shift 2
    local tap=$LOGS/$tag.tap spec=$LOGS/$tag.spec.log
    DD_TEST_LOG_DIR=$LOGS/$tag-stderr timeout 900 node --test --test-concurrency=2 \
        --test-reporter=tap --test-reporter-destination="$tap" \
        --test-reporter=spec --test-reporter-destination="$spec" "$@"
    rc=$?
    p=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$tap" | tail -1)
    f=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$tap" | tail -1)
    c=$(sed -n 's/^# cancelled \([0-9]*\)$/\1/p' "$tap" | tail -1)
    s=$(sed -n 's/^# skipped \([0-9]*\)$/\1/p' "$tap" | tail -1)
    p=${p:-0} f=$((${f:-0} + ${c:-0})) s=${s:-0}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "!! $label: node exited with status $rc" >&2
        f=1
    fi
    if [ "$f" -gt 0 ]; then
        echo "-- failures in $label (full log: $spec)" >&2
        sed -n '/failing tests:/,$p' "$spec" | head -200 >&2
    fi
    local san
    san=$(sanitizer_reports "$LOGS/$tag-stderr")
    record "$label" "$p" "$((f + san))" "$s"
}

if ! [ -x build/asan/dinhdanh ]; then
    echo "!! build/asan/dinhdanh is missing" >&2
    record "api" 0 1 0
else
    api=(tests/api/*.test.mjs)
    DD_TEST_DB=sqlite run_node "api (sqlite)" api-sqlite "${api[@]}"
    if [ -n "$PG_URL" ]; then
        DD_TEST_DB=postgres DD_TEST_PG_URL=$PG_URL run_node "api (postgres)" api-postgres "${api[@]}"
    fi
    DD_TEST_DB=sqlite run_node "browser" browser tests/browser/*.test.mjs
fi

# --- Summary --------------------------------------------------------------------------------
echo
echo "Summary:"
printf '  %s\n' "${SUMMARY[@]}"
if [ "$SKIP" -gt 0 ]; then
    echo "$PASS passed, $FAIL failed, $SKIP skipped"
else
    echo "$PASS passed, $FAIL failed"
fi
[ "$FAIL" -eq 0 ]
