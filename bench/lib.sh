# lib.sh — what every benchmark script shares; sourced (`. bench/lib.sh NAME`) from the
# repository root. It makes TMP (a fresh folder under /tmp, removed on exit) and `pids` (processes
# started by the script: append with `pids+=($!)`; each is killed on exit), and sets the exit
# trap. A script with more to undo defines `cleanup_more` before sourcing this file.

TMP=$(mktemp -d "/tmp/dinhdanh-bench-${1:-run}.XXXXXX")
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    if declare -F cleanup_more >/dev/null; then cleanup_more || true; fi
    rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

# stop PID: ends a process started here and forgets it.
stop() {
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
    local keep=() p
    for p in "${pids[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
    pids=("${keep[@]}")
}

# free_port → a TCP port free on 127.0.0.1 right now.
free_port() {
    node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# wait_http URL: waits up to 20 s for URL to answer 2xx.
wait_http() {
    for _ in $(seq 200); do
        curl -fs -o /dev/null "$1" && return 0
        sleep 0.1
    done
    echo "bench: $1 did not answer" >&2
    return 1
}

# to_ms VALUE: wrk's latency ("812.00us", "4.14ms", "1.20s") in milliseconds, 2 decimals.
to_ms() {
    awk -v v="$1" 'BEGIN {
        n = v + 0
        if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000
        printf "%.2f", n }'
}

# cpu_ticks PID → utime + stime of the process (all its threads), in clock ticks.
cpu_ticks() {
    awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"
}

# run_wrk NAME CONNECTIONS SCRIPT: wrk -t2 on http://127.0.0.1:$PORT for $DURATION seconds with a
# Lua script; fills RPS[NAME], P50[NAME], P99[NAME] (ms) and NON2XX[NAME]; keeps wrk's output in
# $TMP/wrk-NAME.txt.
declare -A RPS P50 P99 NON2XX
run_wrk() {
    local out
    out=$(wrk -t2 -c"$2" -d"${DURATION}s" --latency -s "$3" "http://127.0.0.1:$PORT")
    echo "$out" >"$TMP/wrk-$1.txt"
    RPS[$1]=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' <<<"$out")
    P50[$1]=$(to_ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")
    P99[$1]=$(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")
    NON2XX[$1]=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' <<<"$out")
    NON2XX[$1]=${NON2XX[$1]:-0}
}

# nginx_start DIR WORKERS ACCESS_LOG HTTP: writes DIR/nginx.conf (pid, error log and temporary
# folders under DIR, kept connections without a limit on their requests) with the text HTTP
# inside its http block, starts $NGINX (/usr/sbin/nginx) on it in the foreground, adds it to
# pids and sets NGINX_PID.
nginx_start() {
    local dir=$1
    mkdir -p "$dir"
    cat >"$dir/nginx.conf" <<NGINX
worker_processes $2;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 1024; }
http {
    access_log $3;
    client_body_temp_path $dir/body;
    proxy_temp_path $dir/proxy;
    fastcgi_temp_path $dir/fastcgi;
    uwsgi_temp_path $dir/uwsgi;
    scgi_temp_path $dir/scgi;
    keepalive_requests 1000000;
$4
}
NGINX
    "${NGINX:-/usr/sbin/nginx}" -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;' 2>"$dir/stderr.log" &
    NGINX_PID=$!
    pids+=("$NGINX_PID")
}
