#!/usr/bin/env bash
# sso.sh — the single sign-on token endpoint next to npm oidc-provider, on this machine, in one
# run; `make bench` runs it from bench/run.sh.
#
# 1. dinhdanh (build/dinhdanh serve: SQLite, access log on, as in production) with a small demo
#    register, one citizen's account, and two clients made with `dinhdanh client add`: a machine
#    client (client_credentials, client_secret_basic) and a web app (authorization_code +
#    refresh, client_secret_basic). oidc-provider (bench/oidc-provider/server.mjs, installed here
#    with npm into bench/oidc-provider/node_modules, NODE_ENV=production, one Node process,
#    storage in unbounded in-memory Maps) with the same two clients, its own ES256 key, JWT
#    access tokens for the same audience and scope, the same lifetimes and refresh rotation.
# 2. One sample request of each kind to each provider: the JWT headers and claim names are
#    printed next to each other, so that the tokens compared are the same tokens.
# 3. `openssl speed -seconds 3 ecdsap256`: ECDSA P-256 signatures per second on one core, the
#    bound for a grant that signs one JWT (client credentials) or two (refresh: access + ID token).
#    The load generator's bound: nginx (a worker per core) answering each request with the
#    bytes of our own sample answer, taking turns with the others under the same wrk scripts.
#    With no token made, that is what wrk and the cheapest HTTP server reach on these cores;
#    adding the signatures each answer needs gives the most tokens per second any provider can
#    serve here under this load.
# 4. wrk (-t2 -c64 -dBENCH_SECONDS --latency) on POST /sso/token and oidc-provider's /token:
#    client credentials (bench/sso_cc.lua: the same request each time) and refresh
#    (bench/sso_refresh.lua: each request spends a refresh token never used before — each wrk
#    thread starts from its share of a pool of first tokens of their own families, made before
#    the round by code flows on dinhdanh and by oidc-provider's own models on the peer, and
#    carries on with the rotated token each answer returns). BENCH_ROUNDS rounds (3) taking
#    turns, the median round kept. Only 200 answers count (tokens/s); the server's CPU time over
#    each run gives tokens per CPU-second (oidc-provider is one process, so one core at most;
#    dinhdanh uses a thread per core).
# 5. Prints a markdown section and appends it to BENCH_RESULTS (bench/RESULTS.md; `-` prints
#    only). Everything it starts is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${BENCH_SECONDS:-10}
ROUNDS=${BENCH_ROUNDS:-3}
BIN=${DD_BIN:-build/dinhdanh}
RESULTS=${BENCH_RESULTS:-bench/RESULTS.md}
. bench/lib.sh sso
NGINX=${NGINX:-/usr/sbin/nginx}
THREADS=2 CONNECTIONS=64
POOL=$((CONNECTIONS * 2)) # refresh tokens per provider per round: one per connection and as many spare
REDIRECT=http://127.0.0.1:9/cb
RT_SCOPE="openid profile"

[ -x "$BIN" ] || { echo "bench: $BIN is missing (make build/dinhdanh)" >&2; exit 1; }
json_field() { # json_field FIELD < JSON
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=JSON.parse(s)[process.argv[1]];console.log(v===undefined?"":v)})' "$1"
}
basic() { printf 'Basic %s' "$(printf '%s:%s' "$1" "$2" | base64 -w0)"; }
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

# --- the peer's packages -----------------------------------------------------------------------
if [ ! -d bench/oidc-provider/node_modules/oidc-provider ]; then
    echo "== installing oidc-provider into bench/oidc-provider"
    if [ -f bench/oidc-provider/package-lock.json ]; then
        (cd bench/oidc-provider && npm ci --no-audit --no-fund --loglevel=error)
    else
        (cd bench/oidc-provider && npm install --no-audit --no-fund --loglevel=error)
    fi
fi
OP_VERSION=$(node -p 'require("./bench/oidc-provider/node_modules/oidc-provider/package.json").version')

# --- 1. dinhdanh ---------------------------------------------------------------------------------
DD_PORT=$(free_port)
DD="http://127.0.0.1:$DD_PORT"
DB="sqlite:$TMP/dd/dinhdanh.db"
mkdir -p "$TMP/dd"
echo "== dinhdanh: demo register, one account, two clients"
"$BIN" demo --people 1000 --db "$DB" >/dev/null
sqlite3 -separator $'\t' "$TMP/dd/dinhdanh.db" "SELECT id_number, full_name, birth_date FROM people
    WHERE status = 'alive' AND length(birth_date) = 10 AND birth_date <= date('now', '-16 years')
    ORDER BY id_number LIMIT 1" >"$TMP/people.tsv"
"$BIN" serve --listen "127.0.0.1:$DD_PORT" --db "$DB" --data-dir "$TMP/dd" --notify-adapter file \
    --access-log on --log-level warn 2>"$TMP/dinhdanh.log" &
DD_PID=$!
pids+=("$DD_PID")
wait_http "$DD/healthz"
IFS=$'\t' read -r LOGIN PASSWORD < <(node bench/sso_setup.mjs account "$DD" "$TMP/people.tsv" "$TMP/dd/notify/outbox.jsonl")
CC_JSON=$("$BIN" client add bench-machine --grant client_credentials --auth client_secret_basic \
    --db "$DB" --data-dir "$TMP/dd")
RT_JSON=$("$BIN" client add bench-web --grant authorization_code --redirect-uri "$REDIRECT" \
    --scope "$RT_SCOPE" --auth client_secret_basic --db "$DB" --data-dir "$TMP/dd")
CC_ID=$(json_field client_id <<<"$CC_JSON") CC_SECRET=$(json_field client_secret <<<"$CC_JSON")
RT_ID=$(json_field client_id <<<"$RT_JSON") RT_SECRET=$(json_field client_secret <<<"$RT_JSON")
DD_CC_BASIC=$(basic "$CC_ID" "$CC_SECRET")
DD_RT_BASIC=$(basic "$RT_ID" "$RT_SECRET")
echo "== dinhdanh: $((POOL * ROUNDS + 1)) refresh tokens from as many code flows"
node bench/sso_setup.mjs mint "$DD" "$RT_ID" "$RT_SECRET" "$REDIRECT" "$RT_SCOPE" "$LOGIN" "$PASSWORD" \
    $((POOL * ROUNDS + 1)) "$TMP/dd-rt.txt"

# What our machine client's token holds decides the peer's audience and scope.
node bench/sso_setup.mjs sample "dinhdanh client_credentials" "$DD/sso/token" "$DD_CC_BASIC" \
    grant_type=client_credentials "$TMP/answer-dd-cc.json" >"$TMP/sample-dd-cc.json"
AUDIENCE=$(node -e 'const s=JSON.parse(require("fs").readFileSync(process.argv[1]));const a=s.tokens.access_token.payload.aud;console.log(Array.isArray(a)?a[0]:a)' "$TMP/sample-dd-cc.json")
CC_SCOPE=$(node -e 'const s=JSON.parse(require("fs").readFileSync(process.argv[1]));console.log(s.tokens.access_token.payload.scope||"")' "$TMP/sample-dd-cc.json")

# --- the peer ------------------------------------------------------------------------------------
OP_PORT=$(free_port)
OP="http://127.0.0.1:$OP_PORT"
node -e 'const c=require("crypto");const {privateKey}=c.generateKeyPairSync("ec",{namedCurve:"P-256"});
    const j=privateKey.export({format:"jwk"});j.kid=c.randomBytes(8).toString("hex");
    require("fs").writeFileSync(process.argv[1],JSON.stringify(j),{mode:0o600})' "$TMP/peer-jwk.json"
OP_CC_ID=bench-machine OP_CC_SECRET=$(openssl rand -base64 32 | tr '+/' '-_' | tr -d '=')
OP_RT_ID=bench-web OP_RT_SECRET=$(openssl rand -base64 32 | tr '+/' '-_' | tr -d '=')
echo "== oidc-provider $OP_VERSION: $((POOL * ROUNDS + 1)) refresh tokens from its own models"
NODE_ENV=production BENCH_ISSUER="$OP" BENCH_PORT="$OP_PORT" BENCH_AUDIENCE="$AUDIENCE" \
    BENCH_CC_SCOPE="$CC_SCOPE" BENCH_RT_SCOPE="$RT_SCOPE" BENCH_JWK="$TMP/peer-jwk.json" \
    BENCH_CC_ID="$OP_CC_ID" BENCH_CC_SECRET="$OP_CC_SECRET" BENCH_RT_ID="$OP_RT_ID" \
    BENCH_RT_SECRET="$OP_RT_SECRET" BENCH_RT_POOL=$((POOL * ROUNDS + 1)) BENCH_RT_FILE="$TMP/op-rt.txt" \
    node bench/oidc-provider/server.mjs >"$TMP/op.log" 2>&1 &
OP_PID=$!
pids+=("$OP_PID")
for _ in $(seq 300); do grep -q '^ready$' "$TMP/op.log" && break; sleep 0.1; done
grep -q '^ready$' "$TMP/op.log" || { cat "$TMP/op.log" >&2; exit 1; }
OP_CC_BASIC=$(basic "$OP_CC_ID" "$OP_CC_SECRET")
OP_RT_BASIC=$(basic "$OP_RT_ID" "$OP_RT_SECRET")

# --- 2. the same tokens? ---------------------------------------------------------------------------
CC_BODY=grant_type=client_credentials
[ -n "$CC_SCOPE" ] && CC_BODY="$CC_BODY&scope=${CC_SCOPE// /%20}"
node bench/sso_setup.mjs sample "oidc-provider client_credentials" "$OP/token" "$OP_CC_BASIC" "$CC_BODY" >"$TMP/sample-op-cc.json"
node bench/sso_setup.mjs sample "dinhdanh refresh_token" "$DD/sso/token" "$DD_RT_BASIC" \
    "grant_type=refresh_token&refresh_token=$(tail -1 "$TMP/dd-rt.txt")" "$TMP/answer-dd-rt.json" \
    >"$TMP/sample-dd-rt.json"
node bench/sso_setup.mjs sample "oidc-provider refresh_token" "$OP/token" "$OP_RT_BASIC" \
    "grant_type=refresh_token&refresh_token=$(tail -1 "$TMP/op-rt.txt")" >"$TMP/sample-op-rt.json"
for f in dd-cc op-cc dd-rt op-rt; do
    node -e 'const s=JSON.parse(require("fs").readFileSync(process.argv[1]));if(s.status!==200){console.error(JSON.stringify(s));process.exit(1)}' \
        "$TMP/sample-$f.json" || { echo "bench: the sample request $f failed" >&2; exit 1; }
done
# describe FILE → "access token: header {…}, claims a b c; ID token: …; response fields …"
describe() {
    node -e 'const s=JSON.parse(require("fs").readFileSync(process.argv[1]));const out=[];
        for (const [f,t] of Object.entries(s.tokens)) out.push(`${f.replace("_"," ")}: header ${JSON.stringify({alg:t.header.alg,typ:t.header.typ})}, claims ${t.claims.join(" ")}`);
        out.push(`response fields ${s.fields.join(" ")}`);console.log(out.join("; "))' "$1"
}

# --- 3. the signing bound --------------------------------------------------------------------------
echo "== openssl speed -seconds 3 ecdsap256"
SPEED=$(openssl speed -seconds 3 ecdsap256 2>/dev/null)
SIGN_PER_S=$(awk '/256 bits ecdsa \(nistp256\)/ {printf "%.0f", $(NF-1)}' <<<"$SPEED")
VERIFY_PER_S=$(awk '/256 bits ecdsa \(nistp256\)/ {printf "%.0f", $NF}' <<<"$SPEED")
OPENSSL_V=$(openssl version | awk '{print $1, $2}')
CORES=$(nproc)

# --- the load generator's bound: nginx answering our answers' bytes --------------------------------
NG="" NG_PID=""
if [ -x "$NGINX" ] && ! grep -q "[\$'\\]" "$TMP/answer-dd-cc.json" "$TMP/answer-dd-rt.json"; then
    NG_PORT=$(free_port)
    NG="http://127.0.0.1:$NG_PORT"
    nginx_start "$TMP/nginx" "$CORES" off "
    server {
        listen 127.0.0.1:$NG_PORT;
        default_type application/json;
        location = /cc { return 200 '$(cat "$TMP/answer-dd-cc.json")'; }
        location = /rt { return 200 '$(cat "$TMP/answer-dd-rt.json")'; }
    }"
    NG_PID=$NGINX_PID
    for i in $(seq "$POOL"); do echo "bound-$i"; done >"$TMP/ng-rt.txt"
    wait_http "$NG/cc" || NG=""
fi

# --- 4. load -------------------------------------------------------------------------------------
# Pools for each round: lines (r-1)*POOL+1 … r*POOL of each provider's file.
for r in $(seq "$ROUNDS"); do
    sed -n "$(((r - 1) * POOL + 1)),$((r * POOL))p" "$TMP/dd-rt.txt" >"$TMP/dd-rt-$r.txt"
    sed -n "$(((r - 1) * POOL + 1)),$((r * POOL))p" "$TMP/op-rt.txt" >"$TMP/op-rt-$r.txt"
done
declare -A ALL
run() { # run NAME PID URL SCRIPT TOKEN_PATH BASIC [RT_FILE]
    local name=$1 pid=$2 out t0 t1 rps reqs cpu hz
    hz=$(getconf CLK_TCK)
    t0=$(cpu_ticks "$pid")
    out=$(DD_BENCH_TOKEN_PATH=$5 DD_BENCH_BASIC=$6 DD_BENCH_RT_FILE=${7:-} DD_BENCH_THREADS=$THREADS \
        DD_BENCH_SCOPE="$CC_SCOPE" wrk -t$THREADS -c$CONNECTIONS -d"${DURATION}s" --latency -s "$4" "$3")
    t1=$(cpu_ticks "$pid")
    echo "$out" >>"$TMP/wrk-$name.txt"
    # Only answers with a token count: a refused request is cheap and would flatter the figure.
    non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' <<<"$out" | grep . || echo 0)
    errors=$(awk '/Socket errors:/ {n = 0; for (i = 3; i <= NF; i += 2) n += $(i + 1); print n}' <<<"$out" | grep . || echo 0)
    reqs=$(awk '/requests in/ {print $1}' <<<"$out")
    secs=$(awk '/requests in/ {v = $4; sub(/,$/, "", v); n = v + 0; if (v ~ /ms$/) n /= 1000; else if (v ~ /m$/) n *= 60; print n}' <<<"$out")
    good=$((reqs - non2xx))
    rps=$(awk -v n="$good" -v s="$secs" 'BEGIN {printf "%.0f", (s > 0 ? n / s : 0)}')
    cpu=$(awk -v n="$good" -v t=$((t1 - t0)) -v hz="$hz" 'BEGIN {printf "%.0f", (t > 0 ? n / (t / hz) : 0)}')
    ALL[$name]+="$rps $cpu $(to_ms "$(awk '$1 == "50%" {print $2}' <<<"$out")") $(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$out")") $non2xx $errors"$'\n'
    echo "   $name: $rps tokens/s ($non2xx non-2xx, $errors socket errors)"
}
echo "== warm-up (not recorded)"
DD_BENCH_TOKEN_PATH=/sso/token DD_BENCH_BASIC=$DD_CC_BASIC DD_BENCH_SCOPE="$CC_SCOPE" \
    wrk -t$THREADS -c$CONNECTIONS -d2s -s bench/sso_cc.lua "$DD" >/dev/null
DD_BENCH_TOKEN_PATH=/token DD_BENCH_BASIC=$OP_CC_BASIC DD_BENCH_SCOPE="$CC_SCOPE" \
    wrk -t$THREADS -c$CONNECTIONS -d5s -s bench/sso_cc.lua "$OP" >/dev/null
for r in $(seq "$ROUNDS"); do
    echo "== round $r of $ROUNDS"
    run dd_cc "$DD_PID" "$DD" bench/sso_cc.lua /sso/token "$DD_CC_BASIC"
    run op_cc "$OP_PID" "$OP" bench/sso_cc.lua /token "$OP_CC_BASIC"
    run dd_rt "$DD_PID" "$DD" bench/sso_refresh.lua /sso/token "$DD_RT_BASIC" "$TMP/dd-rt-$r.txt"
    run op_rt "$OP_PID" "$OP" bench/sso_refresh.lua /token "$OP_RT_BASIC" "$TMP/op-rt-$r.txt"
    if [ -n "$NG" ]; then
        run ng_cc "$NG_PID" "$NG" bench/sso_cc.lua /cc "$DD_CC_BASIC"
        run ng_rt "$NG_PID" "$NG" bench/sso_refresh.lua /rt "$DD_RT_BASIC" "$TMP/ng-rt.txt"
    fi
done
declare -A RPS CPU P50 P99 NON2XX SOCKERR
names="dd_cc op_cc dd_rt op_rt"
[ -z "$NG" ] || names+=" ng_cc ng_rt"
for name in $names; do
    read -r RPS[$name] CPU[$name] P50[$name] P99[$name] NON2XX[$name] SOCKERR[$name] < <(sort -n <<<"${ALL[$name]}" | grep . |
        awk -v n="$ROUNDS" 'NR == int((n + 1) / 2)')
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

# --- 5. results ----------------------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", (b > 0 ? a / b : 0)}'; }
verdict() { awk -v r="$1" 'BEGIN {print (r >= 10 ? "meets" : "below")}'; }
CC_RATIO=$(ratio "${RPS[dd_cc]}" "${RPS[op_cc]}") RT_RATIO=$(ratio "${RPS[dd_rt]}" "${RPS[op_rt]}")
CC_CPU_RATIO=$(ratio "${CPU[dd_cc]}" "${CPU[op_cc]}") RT_CPU_RATIO=$(ratio "${CPU[dd_rt]}" "${CPU[op_rt]}")
CC_BOUND=$((SIGN_PER_S * CORES)) RT_BOUND=$((SIGN_PER_S * CORES / 2))
RT_SIGNS=2
grep -q id_token <<<"$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).fields.join(" "))' "$TMP/sample-dd-rt.json")" || {
    RT_SIGNS=1
    RT_BOUND=$CC_BOUND
}

# limit ANSWERS_PER_S SIGNATURES → tokens/s when each answer also takes SIGNATURES signatures of
# one core's time: the cores' seconds per answer are CORES/ANSWERS_PER_S plus the signing.
limit() { awk -v r="$1" -v k="$2" -v s="$SIGN_PER_S" -v n="$CORES" 'BEGIN {printf "%.0f", (r > 0 && s > 0 ? n / (n / r + k / s) : 0)}'; }
if [ -n "$NG" ]; then
    CC_LIMIT=$(limit "${RPS[ng_cc]}" 1) RT_LIMIT=$(limit "${RPS[ng_rt]}" "$RT_SIGNS")
    CC_LIMIT_RATIO=$(ratio "$CC_LIMIT" "${RPS[op_cc]}") RT_LIMIT_RATIO=$(ratio "$RT_LIMIT" "${RPS[op_rt]}")
fi

table() {
    echo "| grant | provider | tokens/s | tokens per CPU-second | p50 (ms) | p99 (ms) | non-2xx | socket errors |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|"
    echo "| client_credentials | dinhdanh /sso/token | ${RPS[dd_cc]} | ${CPU[dd_cc]} | ${P50[dd_cc]} | ${P99[dd_cc]} | ${NON2XX[dd_cc]} | ${SOCKERR[dd_cc]} |"
    echo "| client_credentials | oidc-provider $OP_VERSION /token | ${RPS[op_cc]} | ${CPU[op_cc]} | ${P50[op_cc]} | ${P99[op_cc]} | ${NON2XX[op_cc]} | ${SOCKERR[op_cc]} |"
    echo "| refresh_token (rotated) | dinhdanh /sso/token | ${RPS[dd_rt]} | ${CPU[dd_rt]} | ${P50[dd_rt]} | ${P99[dd_rt]} | ${NON2XX[dd_rt]} | ${SOCKERR[dd_rt]} |"
    echo "| refresh_token (rotated) | oidc-provider $OP_VERSION /token | ${RPS[op_rt]} | ${CPU[op_rt]} | ${P50[op_rt]} | ${P99[op_rt]} | ${NON2XX[op_rt]} | ${SOCKERR[op_rt]} |"
    if [ -n "$NG" ]; then
        echo "| client_credentials | bound: nginx answering our answer's bytes | ${RPS[ng_cc]} | - | ${P50[ng_cc]} | ${P99[ng_cc]} | ${NON2XX[ng_cc]} | ${SOCKERR[ng_cc]} |"
        echo "| refresh_token | bound: nginx answering our answer's bytes | ${RPS[ng_rt]} | - | ${P50[ng_rt]} | ${P99[ng_rt]} | ${NON2XX[ng_rt]} | ${SOCKERR[ng_rt]} |"
    fi
    echo
    echo "Tokens/s counts 200 answers only (wrk's requests less its non-2xx), over the run's length."
    echo
    echo "dinhdanh/oidc-provider: client credentials **${CC_RATIO}×** ($(verdict "$CC_RATIO") the 10× target; ${CC_CPU_RATIO}× per CPU-second),"
    echo "refresh **${RT_RATIO}×** ($(verdict "$RT_RATIO") the 10× target; ${RT_CPU_RATIO}× per CPU-second)."
    echo
    echo "Signing bound: \`openssl speed -seconds 3 ecdsap256\` ($OPENSSL_V) signs **$SIGN_PER_S** and verifies"
    echo "$VERIFY_PER_S P-256 signatures per second on one core; with $CORES cores that bounds client credentials"
    echo "(one JWT signed) at $CC_BOUND/s and refresh ($RT_SIGNS JWT signed per answer) at $RT_BOUND/s, before"
    echo "any HTTP, database or client authentication work (and wrk shares the cores). A refresh on"
    echo "dinhdanh also commits to SQLite (WAL, synchronous=FULL): its rate depends on the disk too."
    if [ -n "$NG" ]; then
        echo
        echo "Load generator's bound: with the same wrk scripts, nginx answering the bytes of our own answers"
        echo "(no token made, no client authenticated) served ${RPS[ng_cc]} client-credentials and ${RPS[ng_rt]} refresh"
        echo "requests per second on these cores. Adding the signatures each answer needs (1 and $RT_SIGNS, at"
        echo "$SIGN_PER_S a second on one core), at most **$CC_LIMIT** client-credentials tokens (**${CC_LIMIT_RATIO}×**"
        echo "oidc-provider) and **$RT_LIMIT** refreshes (**${RT_LIMIT_RATIO}×**) a second fit on this machine,"
        echo "for any provider, before client authentication, the database and the building of the tokens."
    fi
    echo
    echo "Same tokens on both sides (one sample request each):"
    echo
    echo "- dinhdanh client credentials — $(describe "$TMP/sample-dd-cc.json")"
    echo "- oidc-provider client credentials — $(describe "$TMP/sample-op-cc.json")"
    echo "- dinhdanh refresh — $(describe "$TMP/sample-dd-rt.json")"
    echo "- oidc-provider refresh — $(describe "$TMP/sample-op-rt.json")"
    if [ "$DURATION" -lt 10 ] || awk -v l="${LOAD_START%% *}" -v n="$CORES" 'BEGIN {exit !(l > n / 4)}'; then
        echo
        echo "**Not a final figure:** a short run or a busy machine (see the load average), to check that the"
        echo "benchmark works end to end. Tokens per CPU-second, counted on each server's own CPU time,"
        echo "are the steadier number when the cores are shared."
    fi
    return 0
}

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
dd_v=$("$BIN" version 2>/dev/null | sed -n '1s/^dinhdanh //p')
tree=$(git describe --always --dirty 2>/dev/null || echo "no git")
wrk_v=$( (wrk -v 2>&1 || true) | head -1 | awk '{print $1, $2}')
section() {
    echo "## $(date -u '+%Y-%m-%d %H:%M UTC') — single sign-on token endpoint, next to oidc-provider — dinhdanh ${dd_v:-unknown} (tree $tree)"
    echo
    echo "Machine: $CORES cores, $cpu; kernel $(uname -r); $wrk_v; Node $(node --version); load average"
    echo "$LOAD_START at the start, $LOAD_END at the end."
    echo "dinhdanh: \`serve\` with SQLite and access log on (one thread per core; an ES256 signature takes"
    echo "a nonce precomputed in idle time when one is ready, crypto/ecdsa_ahead.h). oidc-provider $OP_VERSION:"
    echo "one Node process, NODE_ENV=production, tokens and grants in unbounded in-memory Maps (nothing"
    echo "written to disk; its own development adapter keeps 1000 entries and loses grants under this load)."
    echo "Both: ES256 key, JWT access tokens (typ at+jwt) of 5 minutes, ID tokens of 5 minutes, refresh"
    echo "tokens rotated at each use, client_secret_basic."
    echo "Load: \`wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency\` on loopback, $ROUNDS rounds taking turns, median"
    echo "round shown. Client credentials: the same request each time (bench/sso_cc.lua). Refresh: every"
    echo "request spends a refresh token never used before (bench/sso_refresh.lua): each wrk thread"
    echo "starts from its half of a pool of $POOL first tokens of their own families (made before the"
    echo "round: by code flows with PKCE on dinhdanh, by oidc-provider's Grant and RefreshToken models on"
    echo "the peer) and goes on with the rotated token each answer carries, as a client does."
    echo
    table
}

echo
section
if [ "$RESULTS" != - ]; then
    [ -f "$RESULTS" ] || printf '# Benchmark results\n\nAppended by bench/run.sh (`make bench`).\n' >"$RESULTS"
    { echo; section; } >>"$RESULTS"
    echo "(appended to $RESULTS)"
fi
