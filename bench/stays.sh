#!/usr/bin/env bash
# stays.sh — accommodation reporting's benchmarks (docs/STAYS.md); bench/run.sh runs it.
#
# 1. Generates BENCH_STAY_PEOPLE (300,000) people (bench/gen_people.c) and imports them into an
#    empty SQLite register; registers a hotel in Phường Nha Trang (22366) with an owner, approves
#    its stays profile, and stores BENCH_STAYS (1,000,000) stays of that commune spread over 365
#    days (about 2,700 a day) next to a few thousand of another commune.
# 2. Serves it and runs wrk (2 threads, 64 connections, BENCH_SECONDS) on
#    POST /api/v1/stays/checkins with typed ID numbers of the register (each check-in looks the
#    person up, inserts the stay and its event, queues the access-log row), every guest once.
#    Target: at least 5,000 check-ins per second.
# 3. Runs wrk (2 threads, 16 connections) on the police daily list
#    GET /api/v1/stays/police/stays?commune=22366&day=… (first page, 50 stays, with the search
#    rows of the access log) as a commune officer. Target: p99 under 100 ms.
# Prints a table and appends a dated section to BENCH_RESULTS (bench/RESULTS.md; `-` prints
# only), with the load average at the start. Everything it starts is stopped on exit. Builds
# build/dinhdanh first when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PEOPLE=${BENCH_STAY_PEOPLE:-300000}
STAYS=${BENCH_STAYS:-1000000}
DURATION=${BENCH_SECONDS:-10}
BIN=${DD_BIN:-build/dinhdanh}
COMMUNE=22366
. bench/lib.sh stays
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg) # the machine's load when the run starts
RESULTS=${BENCH_RESULTS:-bench/RESULTS.md} # "-": print only

[ -x "$BIN" ] || make "$BIN" >/dev/null
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.1f", b - a}'; }

# --- 1. the data ------------------------------------------------------------------------------
echo "== $PEOPLE people, a hotel, $STAYS stays"
DB="sqlite:$TMP/stays.db"
mkdir -p build/bench
cc -O2 -o build/bench/gen_people bench/gen_people.c
"$BIN" migrate --db "$DB" >/dev/null
"$BIN" units import --db "$DB" >/dev/null
"$BIN" units list --kind commune --province 56 --db "$DB" >"$TMP/communes.tsv"
build/bench/gen_people "$PEOPLE" "$TMP/communes.tsv" 7 >"$TMP/people.csv"
"$BIN" import people "$TMP/people.csv" --db "$DB" >/dev/null
"$BIN" org add "Khách sạn Đo Tải" --kind hotel --province 56 --commune "$COMMUNE" \
    --address "1 Trần Phú" --db "$DB" >/dev/null
ORG=$(sqlite3 "$TMP/stays.db" "SELECT MAX(id) FROM organisations")
PASSWORD="mật khẩu đo tải của khách sạn"
echo "$PASSWORD" | "$BIN" org staff add "$ORG" bench.hotel --role owner --password-stdin \
    --db "$DB" >/dev/null
sqlite3 "$TMP/stays.db" <<SQL
INSERT INTO stay_establishments (org_id, type, stars, class, rooms, beds, name, address,
    province_code, commune_code, status, requested_by, requested_at, decided_by, decided_at,
    updated_at)
VALUES ($ORG, 'hotel', 3, 'hotel-3', 2000, 4000, 'Khách sạn Đo Tải', '1 Trần Phú', '56',
    '$COMMUNE', 'approved', 'bench', '2026-01-01', 'bench', '2026-01-01', '2026-01-01');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $STAYS)
INSERT INTO stays (establishment_id, province_code, commune_code, guest_key, id_number,
    nationality, full_name, birth_date, sex, origin_province, verified, source, room, arrived_at,
    arrival_day, departed_at, reported_at, due_at, late, reported_by, updated_at)
SELECT $ORG, '56', CASE WHEN i % 200 = 0 THEN '22333' ELSE '$COMMUNE' END,
    'id:' || printf('0560%08d', i), printf('0560%08d', i), 'VNM', 'Khách ' || i, '1990-01-01',
    'male', '79', 1, 'typed', CAST(100 + i % 400 AS TEXT),
    date('2025-01-01', '+' || (i % 365) || ' days') || 'T05:00:00.000Z',
    date('2025-01-01', '+' || (i % 365) || ' days'),
    date('2025-01-01', '+' || (i % 365 + 1) || ' days') || 'T03:00:00.000Z',
    date('2025-01-01', '+' || (i % 365) || ' days') || 'T05:01:00.000Z',
    date('2025-01-01', '+' || (i % 365) || ' days') || 'T16:00:00.000Z', 0, 'bench',
    date('2025-01-01', '+' || (i % 365) || ' days') || 'T05:01:00.000Z'
FROM n;
ANALYZE;
SQL
sqlite3 "$TMP/stays.db" "SELECT id_number FROM people ORDER BY random()" >"$TMP/ids.txt"
sqlite3 "$TMP/stays.db" "SELECT DISTINCT arrival_day FROM stays" >"$TMP/days.txt"
"$BIN" officer add bench.police --role commune-police --province 56 --commune "$COMMUNE" \
    --db "$DB" >/dev/null
TOKEN=$("$BIN" token --user bench.police --db "$DB")

# --- 2. check-ins -----------------------------------------------------------------------------
PORT=$(free_port)
"$BIN" serve --listen "127.0.0.1:$PORT" --db "$DB" --data-dir "$TMP/dd" --access-log on \
    --log-level warn 2>"$TMP/serve.log" &
SERVER=$!
pids+=("$SERVER")
for _ in $(seq 100); do
    curl -fs -o /dev/null "http://127.0.0.1:$PORT/healthz" && break
    sleep 0.1
done
# The first start rebuilds the dashboards' figures from the stays just stored (docs/INSIGHT.md),
# holding the database for some seconds; the login waits for it, as the measurement must.
LOGIN='{"login":"bench.hotel","password":"'"$PASSWORD"'"}'
for _ in $(seq 60); do
    SESSION=$(curl -fs -m 30 -H 'Content-Type: application/json' -d "$LOGIN" \
        "http://127.0.0.1:$PORT/api/v1/sessions" |
        node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{console.log(JSON.parse(s).session_token)}catch{}})' || true)
    [ -n "$SESSION" ] && break
    sleep 1
done
[ -n "$SESSION" ] || { echo "bench: the hotel's login failed" >&2; exit 1; }
export DD_BENCH_SESSION=$SESSION DD_BENCH_IDS=$TMP/ids.txt DD_BENCH_THREADS=2
export DD_BENCH_TOKEN=$TOKEN DD_BENCH_DAYS=$TMP/days.txt DD_BENCH_COMMUNE=$COMMUNE

before=$(sqlite3 "$TMP/stays.db" "SELECT COUNT(*) FROM stays")
cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }
echo "== check-ins over HTTP"
ticks0=$(cpu_ticks)
run_wrk checkin 64 bench/stays_checkin.lua
ticks1=$(cpu_ticks)
stored=$(( $(sqlite3 "$TMP/stays.db" ".timeout 5000" "SELECT COUNT(*) FROM stays") - before ))
# The server's CPU time per check-in (user + system), which does not depend on what else runs.
CPU_MS=$(awk -v t=$((ticks1 - ticks0)) -v hz="$(getconf CLK_TCK)" -v n="$stored" \
    'BEGIN {printf "%.3f", (n > 0 ? t * 1000 / hz / n : 0)}')

echo "== the police daily list"
status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
    -H "X-Purpose: benchmark" \
    "http://127.0.0.1:$PORT/api/v1/stays/police/stays?commune=$COMMUNE&day=$(head -1 "$TMP/days.txt")")
[ "$status" = 200 ] || { echo "bench: the daily list answered $status" >&2; exit 1; }
run_wrk list 16 bench/stays_list.lua
RSS_MB=$(awk '/^VmHWM:/ {printf "%.0f", $2 / 1024}' "/proc/$SERVER/status")
kill "$SERVER"
wait "$SERVER" 2>/dev/null || true

# --- results ----------------------------------------------------------------------------------
meets() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN {
    ok = (op == "<") ? (v + 0 < t + 0) : (v + 0 >= t + 0); print (ok ? "meets" : "misses") }'; }
table() {
    echo "| what | requests/s | p50 (ms) | p99 (ms) | non-2xx | target |"
    echo "|---|---:|---:|---:|---:|---|"
    echo "| check-in with register lookup (64 conn.; $stored check-ins stored in the run) | ${RPS[checkin]} | ${P50[checkin]} | ${P99[checkin]} | ${NON2XX[checkin]} | ≥ 5,000/s: $(meets "${RPS[checkin]}" 5000 ">=") |"
    echo "| police daily list, one commune, $STAYS stays stored (16 conn.) | ${RPS[list]} | ${P50[list]} | ${P99[list]} | ${NON2XX[list]} | p99 < 100 ms: $(meets "${P99[list]}" 100 "<") |"
    echo
    echo "Register of $PEOPLE people, SQLite, access log on; server CPU"
    echo "time per check-in $CPU_MS ms (user + system); server peak RSS ${RSS_MB} MB."
}
table
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
tree=$(git describe --always --dirty 2>/dev/null || echo "no git")
[ "$RESULTS" = - ] && exit 0
[ -f "$RESULTS" ] || printf '# Benchmark results\n\nAppended by bench/run.sh (`make bench`).\n' >"$RESULTS"
{
    echo
    echo "## $(date -u '+%Y-%m-%d %H:%M UTC') — stays (tree $tree)"
    echo
    echo "Machine: $(nproc) cores, $cpu; load average at the start $LOAD0."
    echo "\`wrk -t2 -d${DURATION}s --latency\` on loopback."
    echo
    table
} >>"$RESULTS"
echo "(appended to $RESULTS)"
