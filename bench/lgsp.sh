#!/usr/bin/env bash
# lgsp.sh — the data-sharing gateway's overhead (docs/LGSP.md); bench/run.sh runs it.
#
# The provider is Debian's nginx answering a small JSON document (`return 200`, one worker, access
# log on): a fast upstream makes the gateway's own cost per call as visible as it can be, and
# nginx is what many agencies put in front of their services. dinhdanh serves the gateway (SQLite,
# access log on, the exchange log on: every call is hash-chained and written in signed batches).
# A consumer subsystem with a client-credentials token and a right calls
# GET /lgsp/r1/VN/GOV/BENCH/api/person/… ; the direct path is the same URL on nginx.
# wrk -t2 -c64 for BENCH_SECONDS (10) on each path, BENCH_ROUNDS (3) rounds taking turns, the
# median kept. Target: through the gateway at least 80% of the direct requests per second.
#
# A second provider (BENCH_LGSP_REGISTER=1, the default): the register's own person lookup
# (GET /api/v1/people/{id} of a synthetic province of BENCH_LGSP_PEOPLE people, an officer's
# token, access log on) served by a second dinhdanh process on the same SQLite database, and
# published through the gateway by `dinhdanh lgsp publish-register` (every answer names a person:
# the gateway parses it and writes the person's access-log row too). This is what an agency's
# application server costs per call; nginx's `return 200` is the cheapest peer there is.
#
# The bound: a third path, taking turns with the other two, goes through a second nginx set up as
# the leanest reverse proxy there is (a worker per core, no access log, kept connections to the
# provider, nothing checked). A proxy on the same machine adds a second exchange over loopback
# TCP to every call; what the bare proxy keeps of the direct throughput is the most any gateway
# can keep here, whatever it does.
# Prints a table and appends a dated section to BENCH_RESULTS (bench/RESULTS.md; `-` prints
# only) with the load average at the start (over 0.5: marked as not final). Everything it
# starts is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${BENCH_SECONDS:-10}
ROUNDS=${BENCH_ROUNDS:-3}
BIN=${DD_BIN:-build/dinhdanh}
. bench/lib.sh lgsp
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
RESULTS=${BENCH_RESULTS:-bench/RESULTS.md}

[ -x "$BIN" ] || make "$BIN" >/dev/null

# --- the provider -----------------------------------------------------------------------------
NG_PORT=$(free_port)
nginx_start "$TMP/nginx" 1 "$TMP/nginx/access.log" "
    server {
        listen 127.0.0.1:$NG_PORT;
        location /api/ {
            default_type application/json;
            return 200 '{\"id_number\":\"056090001234\",\"full_name\":\"Nguyễn Văn An\",\"birth_date\":\"1990-05-01\",\"commune\":\"22366\"}';
        }
    }"

PX_PORT=$(free_port)
nginx_start "$TMP/proxy" "$(nproc)" off "
    upstream provider {
        server 127.0.0.1:$NG_PORT;
        keepalive 64;
        keepalive_requests 1000000;
    }
    server {
        listen 127.0.0.1:$PX_PORT;
        location / {
            proxy_pass http://provider;
            proxy_http_version 1.1;
            proxy_set_header Connection \"\";
        }
    }"

# --- the gateway ------------------------------------------------------------------------------
DB="sqlite:$TMP/dd/dinhdanh.db"
mkdir -p "$TMP/dd"
"$BIN" migrate --db "$DB" >/dev/null
"$BIN" user add bench.lgsp --role admin --area 56 --db "$DB" >/dev/null
REGISTER=${BENCH_LGSP_REGISTER:-1}
if [ "$REGISTER" = 1 ]; then
    "$BIN" demo --people "${BENCH_LGSP_PEOPLE:-20000}" --db "$DB" --data-dir "$TMP/dd" >/dev/null
    REG_PORT=$(free_port)
    "$BIN" lgsp publish-register --upstream "http://127.0.0.1:$REG_PORT" --db "$DB" --data-dir "$TMP/dd" >/dev/null
    REG_TOKEN=$(sqlite3 "$TMP/dd/dinhdanh.db" "SELECT substr(upstream_auth, 8) FROM lgsp_services WHERE id = 'VN/GOV/CA-KH/register/person'")
    sqlite3 "$TMP/dd/dinhdanh.db" "SELECT id_number FROM people WHERE status = 'alive' ORDER BY id_number LIMIT 5000" >"$TMP/ids.txt"
fi
ADMIN=$("$BIN" token --user bench.lgsp --db "$DB")
CLIENT=$("$BIN" client add "Bench consumer" --grant client_credentials --db "$DB" --data-dir "$TMP/dd")
CLIENT_ID=$(node -e 'console.log(JSON.parse(process.argv[1]).client_id)' "$CLIENT")
CLIENT_SECRET=$(node -e 'console.log(JSON.parse(process.argv[1]).client_secret)' "$CLIENT")
DD_PORT=$(free_port)
"$BIN" serve --listen "127.0.0.1:$DD_PORT" --db "$DB" --data-dir "$TMP/dd" --access-log on \
    --log-level warn 2>"$TMP/serve.log" &
SERVER=$!
pids+=("$SERVER")
wait_http "http://127.0.0.1:$DD_PORT/healthz"
if [ "$REGISTER" = 1 ]; then
    "$BIN" serve --listen "127.0.0.1:$REG_PORT" --db "$DB" --data-dir "$TMP/dd" --access-log on \
        --log-level warn 2>"$TMP/register.log" &
    REG_SERVER=$!
    pids+=("$REG_SERVER")
    wait_http "http://127.0.0.1:$REG_PORT/healthz"
fi
wait_http "http://127.0.0.1:$NG_PORT/api/x"
wait_http "http://127.0.0.1:$PX_PORT/api/x"

api() { # api PATH JSON
    curl -fsS -o /dev/null -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' \
        -d "$2" "http://127.0.0.1:$DD_PORT$1"
}
api /api/v1/lgsp/members '{"code":"BENCH","name":"Provider"}'
api /api/v1/lgsp/members '{"code":"CONS","name":"Consumer"}'
api /api/v1/lgsp/subsystems '{"member":"BENCH","code":"api"}'
api /api/v1/lgsp/subsystems "{\"member\":\"CONS\",\"code\":\"app\",\"client_id\":\"$CLIENT_ID\"}"
api /api/v1/lgsp/services "{\"subsystem\":\"VN/GOV/BENCH/api\",\"code\":\"person\",\"name\":\"Person\",\"upstream_url\":\"http://127.0.0.1:$NG_PORT/api\",\"legal_basis\":\"bench\"}"
api /api/v1/lgsp/rights '{"consumer":"VN/GOV/CONS/app","service":"VN/GOV/BENCH/api/person","operation":"GET","reason":"bench","valid_until":"2099-12-31"}'
[ "$REGISTER" != 1 ] || api /api/v1/lgsp/rights '{"consumer":"VN/GOV/CONS/app","service":"VN/GOV/CA-KH/register/person","operation":"GET","reason":"bench","valid_until":"2099-12-31"}'
TOKEN=$(curl -fsS -u "$CLIENT_ID:$CLIENT_SECRET" -d grant_type=client_credentials \
    "http://127.0.0.1:$DD_PORT/sso/token" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).access_token))')

GW_URL="http://127.0.0.1:$DD_PORT/lgsp/r1/VN/GOV/BENCH/api/person/v1/056090001234"
DIRECT_URL="http://127.0.0.1:$NG_PORT/api/v1/056090001234"
PROXY_URL="http://127.0.0.1:$PX_PORT/api/v1/056090001234"
status=$(curl -s -o "$TMP/answer.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$GW_URL")
[ "$status" = 200 ] || { echo "bench: the gateway answered $status: $(cat "$TMP/answer.json")" >&2; exit 1; }

wrk -t2 -c64 -d2s -H "Authorization: Bearer $TOKEN" "$GW_URL" >/dev/null
wrk -t2 -c64 -d2s "$DIRECT_URL" >/dev/null
wrk -t2 -c64 -d2s "$PROXY_URL" >/dev/null

declare -A ALL RPS P99 NON2XX
run() { # run NAME URL [HEADER]
    local out rps
    out=$(wrk -t2 -c64 -d"${DURATION}s" --latency ${3:+-H "$3"} "$2")
    echo "$out" >>"$TMP/wrk-$1.txt"
    rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' <<<"$out")
    ALL[$1]+="$rps $(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$out")") $(awk '/Non-2xx or 3xx responses:/ {print $NF}' <<<"$out" | grep . || echo 0)"$'\n'
}
ticks0=$(cpu_ticks "$SERVER")
for _ in $(seq "$ROUNDS"); do
    run direct "$DIRECT_URL"
    run proxy "$PROXY_URL"
    # BENCH_PERF=FILE: a CPU profile of the gateway process during its rounds (results not final).
    [ -z "${BENCH_PERF:-}" ] || { perf record -q -F 499 -g -p "$SERVER" -o "$BENCH_PERF" -- sleep "$DURATION" 2>/dev/null & }
    run gateway "$GW_URL" "Authorization: Bearer $TOKEN"
    wait_perf=$(jobs -p | tail -1); [ -z "${BENCH_PERF:-}" ] || wait "$wait_perf" 2>/dev/null || true
done
ticks1=$(cpu_ticks "$SERVER")
names="direct proxy gateway"
if [ "$REGISTER" = 1 ]; then
    names+=" reg_direct reg_gateway"
    run_people() { # run_people NAME PREFIX TOKEN
        local out rps
        out=$(DD_BENCH_IDS="$TMP/ids.txt" DD_BENCH_PREFIX="$2" DD_BENCH_TOKEN="$3" \
            wrk -t2 -c64 -d"${DURATION}s" --latency -s bench/lgsp_people.lua "http://127.0.0.1:$4")
        echo "$out" >>"$TMP/wrk-$1.txt"
        rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' <<<"$out")
        ALL[$1]+="$rps $(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$out")") $(awk '/Non-2xx or 3xx responses:/ {print $NF}' <<<"$out" | grep . || echo 0)"$'\n'
    }
    run_people reg_direct /api/v1/people/ "$REG_TOKEN" "$REG_PORT" # warm-up, not kept
    ALL[reg_direct]=""
    rticks0=$(cpu_ticks "$REG_SERVER")
    for _ in $(seq "$ROUNDS"); do
        run_people reg_direct /api/v1/people/ "$REG_TOKEN" "$REG_PORT"
    done
    rticks1=$(cpu_ticks "$REG_SERVER")
    gticks0=$(cpu_ticks "$SERVER")
    for _ in $(seq "$ROUNDS"); do
        [ -z "${BENCH_PERF:-}" ] || { perf record -q -F 499 -g -p "$SERVER" -o "$BENCH_PERF.register" -- sleep "$DURATION" 2>/dev/null & }
        run_people reg_gateway /lgsp/r1/VN/GOV/CA-KH/register/person/ "$TOKEN" "$DD_PORT"
        [ -z "${BENCH_PERF:-}" ] || wait "$(jobs -p | tail -1)" 2>/dev/null || true
    done
    gticks1=$(cpu_ticks "$SERVER")
    REG_CALLS=$(awk '/requests in/ {n += $1} END {print n}' "$TMP/wrk-reg_direct.txt")
    REGGW_CALLS=$(awk '/requests in/ {n += $1} END {print n}' "$TMP/wrk-reg_gateway.txt")
    per_call() { awk -v t="$1" -v hz="$(getconf CLK_TCK)" -v n="$2" 'BEGIN {printf "%.1f", (n > 0 ? t * 1e6 / hz / n : 0)}'; }
    REG_CPU_US=$(per_call $((rticks1 - rticks0)) "$REG_CALLS")
    REGGW_CPU_US=$(per_call $((gticks1 - gticks0)) "$REGGW_CALLS")
fi
for name in $names; do
    read -r RPS[$name] P99[$name] NON2XX[$name] < <(sort -n <<<"${ALL[$name]}" | grep . |
        awk -v n="$ROUNDS" 'NR == int((n + 1) / 2)')
done
sleep 1 # the last batch of the exchange log
LOGGED=$(sqlite3 "$TMP/dd/dinhdanh.db" ".timeout 5000" "SELECT count(*) FROM lgsp_log")
CALLS=$(awk '/requests in/ {n += $1} END {print n}' "$TMP/wrk-gateway.txt")
CPU_US=$(awk -v t=$((ticks1 - ticks0)) -v hz="$(getconf CLK_TCK)" -v n="$CALLS" \
    'BEGIN {printf "%.1f", (n > 0 ? t * 1e6 / hz / n : 0)}')
kill "$SERVER"
wait "$SERVER" 2>/dev/null || true
[ "$REGISTER" != 1 ] || stop "$REG_SERVER"
VERIFY=$("$BIN" lgsp log verify --db "$DB" --data-dir "$TMP/dd" || true)

ratio=$(awk -v a="${RPS[gateway]}" -v b="${RPS[direct]}" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')
verdict=$(awk -v r="$ratio" 'BEGIN {print (r >= 0.8 ? "meets" : "misses")}')
pratio=$(awk -v a="${RPS[proxy]}" -v b="${RPS[direct]}" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')
if [ "$REGISTER" = 1 ]; then
    rratio=$(awk -v a="${RPS[reg_gateway]}" -v b="${RPS[reg_direct]}" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')
    rverdict=$(awk -v r="$rratio" 'BEGIN {print (r >= 0.8 ? "meets" : "misses")}')
fi
busy=$(awk -v l="${LOAD0%% *}" 'BEGIN {print (l > 0.5 ? "yes" : "no")}')
table() {
    echo "| path | requests/s | p99 (ms) | non-2xx |"
    echo "|---|---:|---:|---:|"
    echo "| direct: wrk → nginx | ${RPS[direct]} | ${P99[direct]} | ${NON2XX[direct]} |"
    echo "| through the gateway: wrk → dinhdanh → nginx | ${RPS[gateway]} | ${P99[gateway]} | ${NON2XX[gateway]} |"
    echo "| bound: wrk → nginx as a bare reverse proxy → nginx | ${RPS[proxy]} | ${P99[proxy]} | ${NON2XX[proxy]} |"
    echo
    echo "Gateway/direct: **$ratio** ($verdict the 0.8 target). Bare proxy/direct: **$pratio**: the most that"
    echo "any proxy, checking and logging nothing, keeps of the direct throughput on this machine."
    echo "Exchanges logged: $LOGGED (the $CALLS measured calls and the warm-up)"
    echo "(\`lgsp log verify\`: $VERIFY). Gateway process CPU time per call"
    echo "(user + system, the dispatcher and log writer included): $CPU_US µs."
    if [ "$REGISTER" = 1 ]; then
        echo
        echo "Provider 2, the register's person lookup (a second dinhdanh process, same SQLite database):"
        echo
        echo "| path | requests/s | p99 (ms) | non-2xx |"
        echo "|---|---:|---:|---:|"
        echo "| direct: wrk → register | ${RPS[reg_direct]} | ${P99[reg_direct]} | ${NON2XX[reg_direct]} |"
        echo "| through the gateway: wrk → dinhdanh gateway → register | ${RPS[reg_gateway]} | ${P99[reg_gateway]} | ${NON2XX[reg_gateway]} |"
        echo
        echo "Gateway/direct: **$rratio** ($rverdict the 0.8 target). CPU time per call: the register $REG_CPU_US µs"
        echo "(direct rounds), the gateway process $REGGW_CPU_US µs (gateway rounds)."
    fi
    [ -z "${BENCH_PERF:-}" ] || echo "**Not final:** taken under perf."
    [ "$busy" = no ] || echo "**Not final:** the load average was $LOAD0 at the start (other work on the machine)."
}
table
[ "$RESULTS" = - ] && exit 0
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
tree=$(git describe --always --dirty 2>/dev/null || echo "no git")
{
    echo
    echo "## $(date -u '+%Y-%m-%d %H:%M UTC') — data-sharing gateway (tree $tree)"
    echo
    echo "Machine: $(nproc) cores, $cpu; load average at the start $LOAD0."
    echo "\`wrk -t2 -c64 -d${DURATION}s --latency\` on loopback, $ROUNDS rounds taking turns, median"
    echo "shown. Provider 1: nginx, one worker, \`return 200\` with a 104-byte JSON person; gateway: SQLite,"
    echo "access log on, exchange log on. Why nginx: it is what agencies commonly put in front of their"
    echo "services, and as the fastest provider it shows the gateway's own cost per call at its largest"
    echo "share (a slower provider, such as the register's person lookup, makes the ratio better)."
    echo
    table
} >>"$RESULTS"
echo "(appended to $RESULTS)"
