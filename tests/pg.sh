#!/usr/bin/env bash
# pg.sh start|stop|url — a throwaway PostgreSQL 15 cluster for the test suites.
#
# `start` runs initdb into a fresh temporary folder, starts the server on 127.0.0.1 only, on a
# free port, with trust authentication, and prints its URL. As root the cluster runs as the
# `postgres` user (created if missing); otherwise as the current user. The folder is remembered
# in $DD_PG_STATE (default /tmp/dinhdanh-test-pg.state), so `url` prints the URL again and `stop`
# stops the server and removes the folder. `start` first cleans up what a killed run left behind.
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
STATE=${DD_PG_STATE:-/tmp/dinhdanh-test-pg.state}

die() {
    echo "pg.sh: $*" >&2
    exit 1
}

# Runs a command as the cluster's owner.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
        node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# Stops the cluster recorded in the state file (if any) and removes its folder.
cleanup_previous() {
    [ -f "$STATE" ] || return 0
    local dir
    dir=$(sed -n 's/^dir=//p' "$STATE")
    if [ -n "$dir" ] && [ -d "$dir" ]; then
        if [ -f "$dir/data/postmaster.pid" ]; then
            as_owner "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
            local pid
            pid=$(head -1 "$dir/data/postmaster.pid" 2>/dev/null || true)
            if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
                kill -9 "$pid" 2>/dev/null || true
            fi
        fi
        rm -rf "$dir"
    fi
    rm -f "$STATE"
}

# Removes cluster folders of earlier runs (over 10 minutes old) whose server is no longer
# running: a killed run that lost its state file. Running clusters are left alone.
sweep_stale() {
    local d pid
    for d in $(find /tmp -maxdepth 1 -name 'dinhdanh-pg.*' -type d -mmin +10 2>/dev/null); do
        pid=$(head -1 "$d/data/postmaster.pid" 2>/dev/null || true)
        if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then
            rm -rf "$d"
        fi
    done
}

start() {
    [ -x "$PGBIN/initdb" ] || die "no PostgreSQL at $PGBIN (install the postgresql package)"
    cleanup_previous
    sweep_stale
    if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
        useradd --system --home-dir /var/lib/postgresql --shell /bin/sh postgres
    fi
    local dir port
    dir=$(mktemp -d /tmp/dinhdanh-pg.XXXXXX)
    chmod 755 "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
    port=$(free_port)
    as_owner "$PGBIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
        >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; rm -rf "$dir"; die "initdb failed"; }
    printf 'dir=%s\nport=%s\n' "$dir" "$port" >"$STATE"
    as_owner "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
        -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >/dev/null || { cat "$dir/server.log" >&2; die "server did not start"; }
    url
}

url() {
    [ -f "$STATE" ] || die "no cluster running (run: tests/pg.sh start)"
    echo "postgres://postgres@127.0.0.1:$(sed -n 's/^port=//p' "$STATE")/postgres"
}

case "${1:-}" in
start) start ;;
stop) cleanup_previous ;;
url) url ;;
*)
    echo "usage: tests/pg.sh start|stop|url" >&2
    exit 2
    ;;
esac
