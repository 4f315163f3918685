#!/usr/bin/env bash
# run.sh — builds and runs every libFuzzer target tests/fuzz/fuzz_*.c; `make fuzz` calls it.
#
# Each target is compiled with clang -fsanitize=fuzzer,address,undefined and linked with all of
# src/ except src/cmd/main.c, plus the generated build/gen/*.c. It runs for FUZZ_SECONDS (default 30)
# starting from the seeds in tests/fuzz/corpus/<name>/ (new inputs go to tests/fuzz/corpus-run/,
# the seeds are left alone). Any crash, leak or timeout fails the run; the input that caused it
# is kept in build/fuzz/. FUZZ_TARGETS="fuzz_json ..." limits the run to some targets.
set -euo pipefail
cd "$(dirname "$0")/../.."

SECONDS_EACH=${FUZZ_SECONDS:-30}
PKGS="libmicrohttpd jansson sqlite3 libpq openssl libutf8proc libsodium libcurl libqrencode zlib libpcsclite libeac"
OUT=build/fuzz
mkdir -p "$OUT" tests/fuzz/corpus-run

make --no-print-directory build/gen/embedded.c build/gen/version.c >/dev/null

CFLAGS=(-std=c11 -D_GNU_SOURCE -Isrc -g -O1 -fno-omit-frame-pointer
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
    -DDD_VERSION='"fuzz"' $(pkg-config --cflags $PKGS))
LIBS=($(pkg-config --libs $PKGS) -lpthread)

# The library objects are built once per run with the fuzzer flags (libFuzzer supplies main).
lib=()
for src in $(find src -name '*.c' ! -path src/cmd/main.c | sort) build/gen/embedded.c build/gen/version.c; do
    obj=$OUT/obj/${src%.c}.o
    mkdir -p "$(dirname "$obj")"
    if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ -n "$(find src -name '*.h' -newer "$obj")" ]; then
        clang "${CFLAGS[@]/-fsanitize=fuzzer,/-fsanitize=fuzzer-no-link,}" -c -o "$obj" "$src"
    fi
    lib+=("$obj")
done

failed=()
targets=${FUZZ_TARGETS:-$(cd tests/fuzz && ls fuzz_*.c | sed 's/\.c$//')}
for name in $targets; do
    echo "== $name: building"
    clang "${CFLAGS[@]}" -o "$OUT/$name" "tests/fuzz/$name.c" "${lib[@]}" "${LIBS[@]}"
    seeds=tests/fuzz/corpus/$name
    work=tests/fuzz/corpus-run/$name
    mkdir -p "$seeds" "$work"
    echo "== $name: fuzzing for ${SECONDS_EACH}s"
    if ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        "$OUT/$name" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$OUT/$name-" -print_final_stats=1 "$work" "$seeds" \
        >"$OUT/$name.log" 2>&1; then
        grep -E '^stat::number_of_executed_units|^stat::new_units_added' "$OUT/$name.log" || true
        echo "== $name: ok"
    else
        grep -m1 -B2 -A30 -E 'ERROR: |runtime error:|deadly signal|Test unit written' \
            "$OUT/$name.log" >&2 || tail -40 "$OUT/$name.log" >&2
        echo "== $name: FAILED (log: $OUT/$name.log)" >&2
        failed+=("$name")
    fi
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzzing found problems in: ${failed[*]}" >&2
    exit 1
fi
echo "all fuzz targets ran clean"
