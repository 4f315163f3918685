#!/usr/bin/env bash
# run.sh — HTTP throughput of dinhdanh against nginx on this machine; `make bench` calls it.
#
# Starts build/dinhdanh (SQLite in a temporary folder, access log on, as in production) and
# Debian's nginx (its own temporary configuration, access_log on, `return 200` on /healthz), each
# on a free loopback port, warms both up, then runs `wrk -t2 -c64 -d10s --latency` on dinhdanh
# /healthz, dinhdanh /readyz and nginx /healthz, three rounds taking turns (the median round is
# kept). Prints a table and the dinhdanh/nginx ratio for /healthz (target ≥ 0.7) and appends a
# dated section to bench/RESULTS.md. BENCH_SECONDS and BENCH_ROUNDS change the duration. Everything it starts is stopped on exit.
# Then it runs bench/login.sh (password logins) and bench/sso.sh (the single sign-on token endpoint
# next to oidc-provider), and hands over to bench/register.sh (the register: import, reads, search).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${BENCH_SECONDS:-10}
BIN=${DD_BIN:-build/dinhdanh}
NGINX=${NGINX:-/usr/sbin/nginx}
. bench/lib.sh run


[ -x "$BIN" ] || { echo "bench: $BIN is missing (make build/dinhdanh)" >&2; exit 1; }

DD_PORT=$(free_port)
NG_PORT=$(free_port)
"$BIN" serve --listen "127.0.0.1:$DD_PORT" --db "sqlite:$TMP/dd/dinhdanh.db" --data-dir "$TMP/dd" \
    --access-log on --log-level info 2>"$TMP/dinhdanh.log" &
pids+=($!)

mkdir -p "$TMP/nginx"
cat >"$TMP/nginx.conf" <<EOF
worker_processes auto;
pid $TMP/nginx.pid;
error_log $TMP/nginx/error.log;
events { worker_connections 1024; }
http {
    access_log $TMP/nginx/access.log;
    client_body_temp_path $TMP/nginx/body;
    proxy_temp_path $TMP/nginx/proxy;
    fastcgi_temp_path $TMP/nginx/fastcgi;
    uwsgi_temp_path $TMP/nginx/uwsgi;
    scgi_temp_path $TMP/nginx/scgi;
    server {
        listen 127.0.0.1:$NG_PORT;
        location = /healthz { default_type application/json; return 200 '{"status":"ok"}'; }
    }
}
EOF
"$NGINX" -p "$TMP/nginx" -c "$TMP/nginx.conf" -g 'daemon off;' 2>"$TMP/nginx/stderr.log" &
pids+=($!)

wait_http "http://127.0.0.1:$DD_PORT/healthz"
wait_http "http://127.0.0.1:$NG_PORT/healthz"

# Warm-up, not recorded.
wrk -t2 -c64 -d2s "http://127.0.0.1:$DD_PORT/healthz" >/dev/null
wrk -t2 -c64 -d2s "http://127.0.0.1:$NG_PORT/healthz" >/dev/null

# to_ms VALUE-WITH-UNIT → milliseconds
declare -A RPS P99 NON2XX
# Each target runs ROUNDS times, the targets taking turns (A B C A B C …), and the median round
# is kept: load from elsewhere on the machine then falls on every target alike.
ROUNDS=${BENCH_ROUNDS:-3}
declare -A ALL
run() { # run NAME URL
    local out rps
    out=$(wrk -t2 -c64 -d"${DURATION}s" --latency "$2")
    echo "$out" >>"$TMP/wrk-$1.txt"
    rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' <<<"$out")
    ALL[$1]+="$rps $(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$out")") $(awk '/Non-2xx or 3xx responses:/ {print $NF}' <<<"$out" | grep . || echo 0)"$'\n'
}
for _ in $(seq "$ROUNDS"); do
    run dd_healthz "http://127.0.0.1:$DD_PORT/healthz"
    run dd_readyz "http://127.0.0.1:$DD_PORT/readyz"
    run nginx_healthz "http://127.0.0.1:$NG_PORT/healthz"
done
for name in dd_healthz dd_readyz nginx_healthz; do
    read -r RPS[$name] P99[$name] NON2XX[$name] < <(sort -n <<<"${ALL[$name]}" | grep . |
        awk -v n="$ROUNDS" 'NR == int((n + 1) / 2)')
done

ratio=$(awk -v a="${RPS[dd_healthz]}" -v b="${RPS[nginx_healthz]}" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')
verdict=$(awk -v r="$ratio" 'BEGIN {print (r >= 0.7 ? "meets" : "below")}')

table() {
    echo "| target | requests/s | p99 (ms) | non-2xx |"
    echo "|---|---:|---:|---:|"
    echo "| dinhdanh /healthz | ${RPS[dd_healthz]} | ${P99[dd_healthz]} | ${NON2XX[dd_healthz]} |"
    echo "| dinhdanh /readyz | ${RPS[dd_readyz]} | ${P99[dd_readyz]} | ${NON2XX[dd_readyz]} |"
    echo "| nginx /healthz | ${RPS[nginx_healthz]} | ${P99[nginx_healthz]} | ${NON2XX[nginx_healthz]} |"
    echo
    echo "dinhdanh/nginx on /healthz: **$ratio** ($verdict the 0.7 target)"
}

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
wrk_v=$( (wrk -v 2>&1 || true) | head -1 | awk '{print $1, $2}')
nginx_v=$( ("$NGINX" -v 2>&1 || true) | sed 's/^nginx version: //')
dd_v=$("$BIN" version 2>/dev/null | sed -n '1s/^dinhdanh //p')
tree=$(git describe --always --dirty 2>/dev/null || echo "no git")

table
[ -f bench/RESULTS.md ] || printf '# Benchmark results\n\nAppended by bench/run.sh (`make bench`).\n' >bench/RESULTS.md
{
    echo
    echo "## $(date -u '+%Y-%m-%d %H:%M UTC') — dinhdanh ${dd_v:-unknown} (tree $tree)"
    echo
    echo "Machine: $(nproc) cores, $cpu; kernel $(uname -r); $wrk_v; nginx $nginx_v."
    echo "Load: \`wrk -t2 -c64 -d${DURATION}s --latency\` on loopback, $ROUNDS rounds taking turns, median round shown;"
    echo "dinhdanh with SQLite and access log on;"
    echo "nginx with worker_processes auto, access_log on, \`return 200\`."
    echo
    table
} >>bench/RESULTS.md
echo "(appended to bench/RESULTS.md)"

# The register's benchmarks (import of 2M people, reads, search) run next, on their own.
cleanup
trap - EXIT INT TERM
BENCH_SECONDS=$DURATION DD_BIN=$BIN bench/login.sh # password logins on one core, next to Keycloak
BENCH_SECONDS=$DURATION DD_BIN=$BIN bench/sso.sh   # the SSO token endpoint, next to oidc-provider
bench/card.sh # the chip ID card library on one core: PA next to openssl speed, MRZ and QR parses
BENCH_SECONDS=$DURATION DD_BIN=$BIN bench/stays.sh # check-ins over HTTP, the police daily list
BENCH_SECONDS=$DURATION DD_BIN=$BIN bench/lgsp.sh  # the data-sharing gateway next to a direct call
BENCH_SECONDS=$DURATION DD_BIN=$BIN bench/insight.sh # dashboards and rebuild, next to DuckDB
BENCH_SECONDS=$DURATION DD_BIN=$BIN exec bench/register.sh
