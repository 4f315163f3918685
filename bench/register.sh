#!/usr/bin/env bash
# register.sh — the population register's benchmarks; `make bench` runs it after bench/run.sh.
#
# 1. Generates BENCH_PEOPLE (2,000,000) valid people as CSV, deterministically
#    (bench/gen_people.c, living in the communes of Khánh Hòa as `dinhdanh units list` gives
#    them).
# 2. Times `dinhdanh import people` of that file into an empty SQLite register, and next to it
#    `sqlite3 bare.db ".import --csv FILE bare"` (the same file into one bare table, no checks,
#    no indexes, no history). Target: 2M rows under 60 s, and faster than the bare .import.
#    The floor: SQLite alone writing what the import wrote. The imported rows (people,
#    households, residences, the import's own row) are copied with INSERT … SELECT into an
#    empty register, the same way the import writes them (rollback journal, synchronous=FULL,
#    256 MiB of page cache, the secondary indexes dropped and built again before COMMIT, two
#    sorter threads): no file to read, nothing checked; reading the rows back from the other
#    file through a memory map is its only other work. SQLite writes with one thread, so an
#    import can hide its reading and checking behind this writing on the other core, but cannot
#    write the same rows faster.
# 3. Times the same import into PostgreSQL (COPY), next to psql's `\copy` of the file into a
#    bare table, on a throwaway cluster (tests/pg.sh); skipped without PostgreSQL's binaries.
# 4. Serves the 2M-person SQLite register and runs wrk (2 threads, 64 connections,
#    BENCH_SECONDS) on GET /api/v1/people/{id} for random existing people with an officer's
#    bearer token and X-Purpose (target ≥ 20,000 req/s), then name search
#    GET /api/v1/people?name=… (2 threads, 16 connections; target p99 < 20 ms), and reads the
#    server's peak RSS (VmHWM; target < 300 MB).
# Prints a table and appends a dated section to bench/RESULTS.md, marked as not final when the
# load average (1 minute) was above 0.5 at the start or at the end: the machine is shared, and
# a busy one slows every figure. Everything it starts is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS=${BENCH_PEOPLE:-2000000}
DURATION=${BENCH_SECONDS:-10}
BIN=${DD_BIN:-build/dinhdanh}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PSQL=$PGBIN/psql
cleanup_more() { [ -f "$DD_PG_STATE" ] && tests/pg.sh stop >/dev/null 2>&1; }
. bench/lib.sh register
chmod 755 "$TMP"
export DD_PG_STATE=$TMP/pg.state

[ -x "$BIN" ] || { echo "bench: $BIN is missing (make build/dinhdanh)" >&2; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.1f", b - a}'; }
rate() { awk -v n="$ROWS" -v s="$1" 'BEGIN {printf "%.0f", (s > 0 ? n / s : 0)}'; }

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

# --- 1. the file ------------------------------------------------------------------------------
echo "== generating $ROWS people"
mkdir -p build/bench
cc -O2 -o build/bench/gen_people bench/gen_people.c
"$BIN" units import --db "sqlite:$TMP/units.db" >/dev/null
"$BIN" units list --kind commune --province 56 --db "sqlite:$TMP/units.db" >"$TMP/communes.tsv"
build/bench/gen_people "$ROWS" "$TMP/communes.tsv" 6 >"$TMP/people.csv"
CSV_MB=$(awk -v b="$(stat -c %s "$TMP/people.csv")" 'BEGIN {printf "%.0f", b / 1048576}')

# --- 2. SQLite --------------------------------------------------------------------------------
echo "== dinhdanh import people on SQLite"
DB="sqlite:$TMP/register.db"
"$BIN" migrate --db "$DB" >/dev/null
"$BIN" units import --db "$DB" >/dev/null
sync
t0=$(now)
"$BIN" import people "$TMP/people.csv" --db "$DB" | tee "$TMP/import-sqlite.txt"
SQLITE_S=$(since "$t0")
DB_MB=$(awk -v b="$(stat -c %s "$TMP/register.db")" 'BEGIN {printf "%.0f", b / 1048576}')

echo "== sqlite3 .import into a bare table"
sync
t0=$(now)
sqlite3 "$TMP/bare.db" ".import --csv $TMP/people.csv bare"
BARE_S=$(since "$t0")
BARE_ROWS=$(sqlite3 "$TMP/bare.db" "SELECT COUNT(*) FROM bare")
BARE_MB=$(awk -v b="$(stat -c %s "$TMP/bare.db")" 'BEGIN {printf "%.0f", b / 1048576}')
rm -f "$TMP/bare.db"

echo "== the floor: SQLite copying the imported rows into an empty register"
FLOOR="$TMP/floor.db"
"$BIN" migrate --db "sqlite:$FLOOR" >/dev/null
"$BIN" units import --db "sqlite:$FLOOR" >/dev/null
FLOOR_TABLES="'people', 'households', 'residences'"
{
    echo "PRAGMA journal_mode=DELETE; PRAGMA synchronous=FULL; PRAGMA cache_size=-262144;"
    echo "ATTACH '$TMP/register.db' AS imported; PRAGMA mmap_size=2147483648; BEGIN;"
    # The secondary indexes the import builds again (partial ones stay, as in the import).
    sqlite3 "$FLOOR" "SELECT 'DROP INDEX ' || name || ';' FROM sqlite_master WHERE type = 'index'
        AND tbl_name IN ($FLOOR_TABLES) AND sql IS NOT NULL AND sql NOT LIKE '% WHERE %'"
    for t in households people residences person_imports; do
        cols=$(sqlite3 "$FLOOR" "SELECT group_concat(name, ', ') FROM pragma_table_xinfo('$t') WHERE hidden = 0")
        order=$([ "$t" = people ] && echo id_number || echo rowid)
        echo "INSERT INTO main.$t ($cols) SELECT $cols FROM imported.$t ORDER BY $order;"
    done
    echo "PRAGMA cache_size=-4096; PRAGMA threads=2;"
    sqlite3 "$FLOOR" "SELECT sql || ';' FROM sqlite_master WHERE type = 'index'
        AND tbl_name IN ($FLOOR_TABLES) AND sql IS NOT NULL AND sql NOT LIKE '% WHERE %'"
    echo "COMMIT;"
} >"$TMP/floor.sql"
sync
t0=$(now)
sqlite3 "$FLOOR" <"$TMP/floor.sql" >/dev/null
FLOOR_S=$(since "$t0")
FLOOR_ROWS=$(sqlite3 "$FLOOR" "SELECT COUNT(*) FROM people")
rm -f "$FLOOR"

# --- 3. PostgreSQL ----------------------------------------------------------------------------
PG_S="-" PG_BARE_S="-" PG_NOTE=""
if [ -x "$PGBIN/initdb" ] && PG_ADMIN=$(tests/pg.sh start 2>"$TMP/pg-start.log"); then
    echo "== dinhdanh import people on PostgreSQL"
    "$PSQL" -X -q "$PG_ADMIN" -c "CREATE DATABASE bench" -c "CREATE DATABASE bare"
    PG_DB="${PG_ADMIN%/*}/bench"
    "$BIN" migrate --db "$PG_DB" >/dev/null
    "$BIN" units import --db "$PG_DB" >/dev/null
    t0=$(now)
    "$BIN" import people "$TMP/people.csv" --db "$PG_DB" | tee "$TMP/import-pg.txt"
    PG_S=$(since "$t0")
    echo "== psql \\copy into a bare table"
    cols=$(head -1 "$TMP/people.csv" | tr -d '\r' | sed 's/,/ text, /g; s/$/ text/')
    "$PSQL" -X -q "${PG_ADMIN%/*}/bare" -c "CREATE TABLE bare ($cols)"
    t0=$(now)
    "$PSQL" -X -q "${PG_ADMIN%/*}/bare" -c "\\copy bare FROM '$TMP/people.csv' WITH (FORMAT csv, HEADER true)"
    PG_BARE_S=$(since "$t0")
    tests/pg.sh stop >/dev/null 2>&1 || true
    rm -f "$DD_PG_STATE"
else
    PG_NOTE="PostgreSQL was not measured (no cluster could be started: $(head -c 200 "$TMP/pg-start.log" 2>/dev/null))."
    echo "bench: $PG_NOTE" >&2
fi

# --- 4. the server on the 2M-person register ----------------------------------------------------
echo "== serving the register"
"$BIN" officer add bench --role province-police --province 56 --db "$DB" >/dev/null
TOKEN=$("$BIN" token --user bench --db "$DB")
sqlite3 "$TMP/register.db" "SELECT id_number FROM people ORDER BY random() LIMIT 20000" >"$TMP/ids.txt"
# Name prefixes as officers type them: a full name, or its first two words.
sqlite3 "$TMP/register.db" "SELECT name_folded FROM people ORDER BY random() LIMIT 2000" |
    awk '{ if (NR % 2) print; else print $1 " " $2 }' | sed 's/ /%20/g' >"$TMP/names.txt"
PORT=$(free_port)
"$BIN" serve --listen "127.0.0.1:$PORT" --db "$DB" --data-dir "$TMP/dd" --access-log on \
    --log-level info 2>"$TMP/serve.log" &
SERVER=$!
pids+=("$SERVER")
for _ in $(seq 100); do
    curl -fs -o /dev/null "http://127.0.0.1:$PORT/healthz" && break
    sleep 0.1
done
# The first start rebuilds the dashboards' figures from the register (docs/INSIGHT.md, "Known
# limit"), holding the database's write lock for some seconds; the access-log rows of the reads
# wait behind it. Measure once every event consumer has caught up.
for _ in $(seq 240); do
    [ "$("$BIN" events status --db "$DB" 2>/dev/null | awk '$3 > 0' | wc -l)" = 0 ] && break
    sleep 0.5
done
export DD_BENCH_TOKEN=$TOKEN DD_BENCH_IDS=$TMP/ids.txt DD_BENCH_NAMES=$TMP/names.txt

probe() { # probe PATH → HTTP status of one request as the bench officer
    curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
        -H "X-Purpose: benchmark" "http://127.0.0.1:$PORT$1"
}
GET_NOTE="" SEARCH_NOTE=""
get_status=$(probe "/api/v1/people/$(head -1 "$TMP/ids.txt")")
if [ "$get_status" = 200 ]; then
    wrk -t2 -c64 -d2s -s bench/people_get.lua "http://127.0.0.1:$PORT" >/dev/null # warm-up
    run_wrk get 64 bench/people_get.lua
else
    GET_NOTE="GET /api/v1/people/{id} answered $get_status: not measured."
    RPS[get]="-" P50[get]="-" P99[get]="-" NON2XX[get]="-"
fi
search_status=$(probe "/api/v1/people?limit=20&name=$(head -1 "$TMP/names.txt")")
if [ "$search_status" = 200 ]; then
    run_wrk search 16 bench/people_search.lua
else
    SEARCH_NOTE="GET /api/v1/people?name= answered $search_status: not measured."
    RPS[search]="-" P50[search]="-" P99[search]="-" NON2XX[search]="-"
fi
RSS_MB=$(awk '/^VmHWM:/ {printf "%.0f", $2 / 1024}' "/proc/$SERVER/status")
kill "$SERVER"
wait "$SERVER" 2>/dev/null || true

# --- results ----------------------------------------------------------------------------------
verdict() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN {
    if (v == "-") { print "not measured"; exit }
    ok = (op == "<") ? (v + 0 < t + 0) : (v + 0 >= t + 0)
    print (ok ? "meets" : "misses") }'; }
faster=$(awk -v a="$SQLITE_S" -v b="$BARE_S" 'BEGIN {print (a + 0 < b + 0 ? "meets" : "misses")}')

table() {
    echo "| what | time (s) | rows/s | target |"
    echo "|---|---:|---:|---|"
    echo "| \`dinhdanh import people\`, SQLite (file $CSV_MB MiB, database $DB_MB MiB after) | $SQLITE_S | $(rate "$SQLITE_S") | < 60 s: $(verdict "$SQLITE_S" 60 "<"); faster than \`.import\`: $faster |"
    echo "| \`sqlite3 .import --csv\` into a bare table ($BARE_ROWS rows, $BARE_MB MiB) | $BARE_S | $(rate "$BARE_S") | (peer) |"
    echo "| floor: SQLite copying the imported rows into an empty register ($FLOOR_ROWS people) | $FLOOR_S | $(rate "$FLOOR_S") | (bound) |"
    echo "| \`dinhdanh import people\`, PostgreSQL (COPY) | $PG_S | $( [ "$PG_S" = - ] && echo - || rate "$PG_S") | |"
    echo "| psql \`\\copy\` into a bare table | $PG_BARE_S | $( [ "$PG_BARE_S" = - ] && echo - || rate "$PG_BARE_S") | (peer) |"
    echo
    echo "The import checks every row and writes, per person, the row with its search keys, residence"
    echo "periods and households, with their indexes, and the history's version 1 once for the file"
    echo "($DB_MB MiB);"
    echo "\`.import\` and \`\\copy\` store the text of the file in one table ($BARE_MB MiB on SQLite)."
    echo "The floor is what SQLite alone takes to write the same rows and build the same indexes, copying"
    echo "them from the imported register (nothing read from the file, nothing checked). SQLite writes"
    echo "with one thread: an import can do its reading and checking on the other core meanwhile, but"
    echo "cannot write the same rows faster. Floor/\`.import\`: **$(awk -v a="$FLOOR_S" -v b="$BARE_S" 'BEGIN {printf "%.1f", (b > 0 ? a / b : 0)}')×**."
    echo
    echo "| HTTP on the ${ROWS}-person SQLite register | requests/s | p50 (ms) | p99 (ms) | non-2xx | target |"
    echo "|---|---:|---:|---:|---:|---|"
    echo "| GET /api/v1/people/{id} (64 connections) | ${RPS[get]} | ${P50[get]} | ${P99[get]} | ${NON2XX[get]} | ≥ 20000 req/s: $(verdict "${RPS[get]}" 20000 ">=") |"
    echo "| GET /api/v1/people?name= (16 connections) | ${RPS[search]} | ${P50[search]} | ${P99[search]} | ${NON2XX[search]} | p99 < 20 ms: $(verdict "${P99[search]}" 20 "<") |"
    echo
    echo "Server peak RSS (VmHWM): **${RSS_MB} MB** (target < 300 MB: $(verdict "$RSS_MB" 300 "<"))."
    for note in "$PG_NOTE" "$GET_NOTE" "$SEARCH_NOTE"; do
        [ -n "$note" ] && echo "$note"
    done
    return 0
}

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
mem=$(awk '/^MemTotal:/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)
dd_v=$("$BIN" version 2>/dev/null | sed -n '1s/^dinhdanh //p')
tree=$(git describe --always --dirty 2>/dev/null || echo "no git")
load=$(cut -d' ' -f1-3 /proc/loadavg)

table
[ -f bench/RESULTS.md ] || printf '# Benchmark results\n\nAppended by bench/run.sh (`make bench`).\n' >bench/RESULTS.md
{
    echo
    echo "## $(date -u '+%Y-%m-%d %H:%M UTC') — register: import, reads, search — dinhdanh ${dd_v:-unknown} (tree $tree)"
    echo
    echo "Machine: $(nproc) cores, $cpu, $mem; kernel $(uname -r); $(sqlite3 --version | cut -d' ' -f1) (sqlite3);"
    echo "PostgreSQL $("$PGBIN/postgres" --version 2>/dev/null | awk '{print $3}'); load average at the start: $LOAD_START, at the end: $load."
    echo "$ROWS generated people (bench/gen_people.c, seed 6); SQLite on local disk; wrk -t2, ${DURATION} s, access log on."
    echo
    table
    if awk -v a="${LOAD_START%% *}" -v b="${load%% *}" 'BEGIN {exit !(a + 0 > 0.5 || b + 0 > 0.5)}'; then
        echo
        echo "**Not a final figure:** the machine was busy (load average above 0.5 at the start or"
        echo "the end); the figures are to be measured again on an idle machine."
    fi
} >>bench/RESULTS.md
echo "(appended to bench/RESULTS.md)"
