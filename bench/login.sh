#!/usr/bin/env bash
# login.sh — password logins per second on one core, next to Keycloak's published sizing figure;
# `make bench` runs it from bench/run.sh.
#
# 1. A synthetic register (`dinhdanh demo`) and BENCH_LOGIN_ACCOUNTS (100) citizens' level-1
#    accounts with passwords and no second factor, registered and confirmed through the API (the
#    one-time codes read from the file notice adapter), on an unpinned server.
# 2. For each Argon2id cost — ours (the binary's defaults for password-opslimit and
#    password-memlimit-kib, from crypto/password.h) and Keycloak's default (memory 7168 KiB,
#    5 iterations, parallelism 1) — a server on one core (`taskset -c 0`, `--threads 1`, SQLite,
#    access log on) logs every account in once, one after another (which also rehashes the stored
#    passwords at that cost), times 20 more logins alone, then wrk (`taskset -c 1`,
#    1 thread, 4 connections, BENCH_SECONDS) posts logins round the accounts with their right
#    passwords (bench/login.lua). Right passwords count for no throttling, so the default
#    login-network-failures (50) and login-delay-ms (1000) are left as they are; any 429 would
#    show as non-2xx.
# 3. Logins per second, and per CPU-second of the server process (its utime + stime over the run
#    and one second after it, which does not depend on what else the machine was doing), next to Keycloak 26's figure
#    ("Concepts for sizing CPU and memory resources": 1 vCPU for each 15 password-based logins per
#    second). Prints a table and appends a dated section to bench/RESULTS.md with the load
#    average. Everything it starts is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

ACCOUNTS=${BENCH_LOGIN_ACCOUNTS:-100}
DURATION=${BENCH_SECONDS:-10}
BIN=${DD_BIN:-build/dinhdanh}
. bench/lib.sh login
KC_MEM_KIB=7168 KC_ITERATIONS=5 KC_PARALLELISM=1 KC_HASH_BYTES=32 KC_LOGINS_PER_VCPU=15

[ -x "$BIN" ] || { echo "bench: $BIN is missing (make build/dinhdanh)" >&2; exit 1; }
# Our cost: the defaults the binary states in its help (crypto/password.h).
OUR_T=$("$BIN" serve --help | sed -n 's/^ *--password-opslimit .*(\([0-9]*\)).*/\1/p')
OUR_MEM_KIB=$("$BIN" serve --help | sed -n 's/^ *--password-memlimit-kib .*(\([0-9]*\).*/\1/p')
if [ -z "$OUR_T" ] || [ -z "$OUR_MEM_KIB" ]; then
    echo "bench: no password cost in serve --help" >&2
    exit 1
fi
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

# --- 1. accounts ------------------------------------------------------------------------------
DB="sqlite:$TMP/login.db"
PEOPLE=$((ACCOUNTS * 4 > 1000 ? ACCOUNTS * 4 : 1000))
echo "== a register of $PEOPLE people and $ACCOUNTS accounts"
"$BIN" demo --people "$PEOPLE" --db "$DB" >/dev/null
# Living adults with a full date of birth, as registration matches them against the register.
sqlite3 -separator $'\t' "$TMP/login.db" "SELECT id_number, full_name, birth_date FROM people
    WHERE status = 'alive' AND length(birth_date) = 10 AND birth_date <= date('now', '-16 years')
    ORDER BY id_number LIMIT $ACCOUNTS" >"$TMP/people.tsv"
[ "$(wc -l <"$TMP/people.tsv")" -eq "$ACCOUNTS" ] || { echo "bench: too few adults in the demo register" >&2; exit 1; }

PORT=$(free_port)
mkdir -p "$TMP/setup" "$TMP/dd"
"$BIN" serve --listen "127.0.0.1:$PORT" --db "$DB" --data-dir "$TMP/setup" --notify-adapter file \
    --log-level warn 2>"$TMP/setup.log" &
SETUP=$!
pids+=("$SETUP")
wait_http "http://127.0.0.1:$PORT/healthz"

# accounts_js MODE: node, against the server on $PORT. register: registers and confirms the
# people of people.tsv (4 at a time) and writes accounts.tsv ("login<TAB>password"); check: logs
# every account in once, one after another (each must succeed; a hash made at another cost is
# upgraded), then 20 of them again, and prints the mean milliseconds of one of those logins.
accounts_js() {
    MODE=$1 BASE="http://127.0.0.1:$PORT" PEOPLE_TSV="$TMP/people.tsv" ACCOUNTS_TSV="$TMP/accounts.tsv" \
        OUTBOX="$TMP/setup/notify/outbox.jsonl" node --input-type=module - <<'JS'
import fs from 'node:fs';
const { MODE, BASE, PEOPLE_TSV, ACCOUNTS_TSV, OUTBOX } = process.env;
const post = async (path, body) => {
  const r = await fetch(BASE + path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: r.status, text: await r.text() };
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function codeFor(email) {
  for (let i = 0; i < 200; i++) {
    const lines = fs.existsSync(OUTBOX) ? fs.readFileSync(OUTBOX, 'utf8').split('\n') : [];
    for (const l of lines.filter(Boolean).reverse()) {
      const n = JSON.parse(l);
      if (n.recipient === email) return /\b(\d{6})\b/.exec(n.body)[1];
    }
    await sleep(50);
  }
  throw new Error(`no code for ${email}`);
}
if (MODE === 'register') {
  const people = fs.readFileSync(PEOPLE_TSV, 'utf8').trim().split('\n').map((l) => l.split('\t'));
  const out = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < people.length; i = next++) {
      const [id, name, birth] = people[i];
      const email = `bench${i}@example.vn`;
      const password = `mat khau thu ${i} cho bench`;
      const r = await post('/api/v1/accounts', {
        id_number: id, full_name: name, birth_date: birth,
        phone: `09${String(10000000 + i).slice(-8)}`, email, password,
      });
      if (r.status !== 201) throw new Error(`registration of ${id}: ${r.status} ${r.text}`);
      const c = await post('/api/v1/accounts/confirmations', { login: id, code: await codeFor(email) });
      if (c.status !== 200) throw new Error(`confirmation of ${id}: ${c.status} ${c.text}`);
      out.push(`${id}\t${password}`);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  fs.writeFileSync(ACCOUNTS_TSV, out.join('\n') + '\n');
} else {
  const accounts = fs.readFileSync(ACCOUNTS_TSV, 'utf8').trim().split('\n').map((l) => l.split('\t'));
  const logIn = async ([login, password]) => {
    const r = await post('/api/v1/sessions', { login, password });
    if (r.status !== 201) throw new Error(`login of ${login}: ${r.status} ${r.text}`);
  };
  for (const a of accounts) await logIn(a); // rehashes at the server's cost where it differs
  const some = accounts.slice(0, 20);
  const t0 = performance.now();
  for (const a of some) await logIn(a);
  console.log(((performance.now() - t0) / some.length).toFixed(1));
}
JS
}
accounts_js register
stop "$SETUP"

# --- 2. logins on one core ----------------------------------------------------------------------
declare -A RPS CPU_RATE ALONE P50 P99 NON2XX REQS
run_cost() { # run_cost NAME OPSLIMIT MEMLIMIT_KIB
    local name=$1 out ticks0 ticks1 hz server
    PORT=$(free_port)
    taskset -c 0 "$BIN" serve --listen "127.0.0.1:$PORT" --db "$DB" --data-dir "$TMP/dd" --threads 1 \
        --password-opslimit "$2" --password-memlimit-kib "$3" --access-log on --log-level info \
        2>"$TMP/serve-$name.log" &
    server=$!
    pids+=("$server")
    wait_http "http://127.0.0.1:$PORT/healthz"
    echo "== $name: Argon2id t=$2, m=$3 KiB on one core"
    ALONE[$name]=$(accounts_js check)
    export DD_BENCH_ACCOUNTS=$TMP/accounts.tsv
    taskset -c 1 wrk -t1 -c4 -d2s -s bench/login.lua "http://127.0.0.1:$PORT" >/dev/null # warm-up
    ticks0=$(cpu_ticks "$server")
    out=$(taskset -c 1 wrk -t1 -c4 -d"${DURATION}s" --latency -s bench/login.lua "http://127.0.0.1:$PORT")
    sleep 1 # the work the logins left behind (the audit consumer's events) is counted too
    ticks1=$(cpu_ticks "$server")
    echo "$out" >"$TMP/wrk-$name.txt"
    hz=$(getconf CLK_TCK)
    RPS[$name]=$(awk '/^Requests\/sec:/ {printf "%.1f", $2}' <<<"$out")
    REQS[$name]=$(awk '/requests in/ {print $1}' <<<"$out")
    CPU_RATE[$name]=$(awk -v n="${REQS[$name]}" -v t=$((ticks1 - ticks0)) -v hz="$hz" \
        'BEGIN {printf "%.1f", (t > 0 ? n / (t / hz) : 0)}')
    P50[$name]=$(to_ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")
    P99[$name]=$(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")
    NON2XX[$name]=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' <<<"$out")
    NON2XX[$name]=${NON2XX[$name]:-0}
    stop "$server"
}
run_cost ours "$OUR_T" "$OUR_MEM_KIB"
run_cost keycloak "$KC_ITERATIONS" "$KC_MEM_KIB"
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

# --- 3. results ---------------------------------------------------------------------------------
table() {
    echo "| what, on one core | Argon2id cost | logins/s | logins per CPU-second | one login alone (ms) | p50 (ms) | p99 (ms) | non-2xx |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|"
    echo "| dinhdanh, our settings | m=$OUR_MEM_KIB KiB, t=$OUR_T, p=1, 32-byte hash (libsodium) | ${RPS[ours]} | ${CPU_RATE[ours]} | ${ALONE[ours]} | ${P50[ours]} | ${P99[ours]} | ${NON2XX[ours]} |"
    echo "| dinhdanh at Keycloak's default cost | m=$KC_MEM_KIB KiB, t=$KC_ITERATIONS, p=$KC_PARALLELISM, 32-byte hash (libsodium) | ${RPS[keycloak]} | ${CPU_RATE[keycloak]} | ${ALONE[keycloak]} | ${P50[keycloak]} | ${P99[keycloak]} | ${NON2XX[keycloak]} |"
    echo "| Keycloak 26, published sizing figure | m=$KC_MEM_KIB KiB, t=$KC_ITERATIONS, p=$KC_PARALLELISM, $KC_HASH_BYTES-byte hash (its argon2 provider's defaults) | ≈$KC_LOGINS_PER_VCPU per vCPU | | | | | |"
    echo
    echo "A login here is the whole of POST /api/v1/sessions: throttling checks, the Argon2id verify, a"
    echo "session row, the history row and its event (the audit consumer works on the same core), the"
    echo "access log line, SQLite in the process. Keycloak's figure is its guide's rule for sizing a"
    echo "cluster (\"Concepts for sizing CPU and memory resources\": 1 vCPU for each 15 password-based"
    echo "user logins per second), not a measurement on this machine."
    if [ "$DURATION" -lt 10 ] || awk -v l="${LOAD_START%% *}" -v n="$(nproc)" 'BEGIN {exit !(l > n / 4)}'; then
        echo
        echo "**Not a final figure:** a short run or a busy machine (see the load average), to check that the"
        echo "benchmark works end to end. Logins per CPU-second, counted on the server's own CPU time, are"
        echo "the steadier number when the core is shared."
    fi
    return 0
}

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
dd_v=$("$BIN" version 2>/dev/null | sed -n '1s/^dinhdanh //p')
tree=$(git describe --always --dirty 2>/dev/null || echo "no git")
wrk_v=$( (wrk -v 2>&1 || true) | head -1 | awk '{print $1, $2}')

table
[ -f bench/RESULTS.md ] || printf '# Benchmark results\n\nAppended by bench/run.sh (`make bench`).\n' >bench/RESULTS.md
{
    echo
    echo "## $(date -u '+%Y-%m-%d %H:%M UTC') — password logins per core, next to Keycloak — dinhdanh ${dd_v:-unknown} (tree $tree)"
    echo
    echo "Machine: $(nproc) cores, $cpu; kernel $(uname -r); $wrk_v; load average $LOAD_START at the start, $LOAD_END at the end."
    echo "Server: \`taskset -c 0 dinhdanh serve --threads 1\`, SQLite, access log on; $ACCOUNTS citizens' accounts without"
    echo "second factor. Load: \`taskset -c 1 wrk -t1 -c4 -d${DURATION}s\` (bench/login.lua), right passwords round the accounts."
    echo
    table
} >>bench/RESULTS.md
echo "(appended to bench/RESULTS.md)"
