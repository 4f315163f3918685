#!/usr/bin/env bash
# card.sh — the chip ID card library on one core, next to OpenSSL's own bound; `make bench` runs it
# from bench/run.sh.
#
# Builds bench/card_bench.c against the release objects of src/card/ and src/base/, and runs it
# pinned to one core (`taskset -c 0`) for BENCH_CARD_SECONDS (default 3) per figure:
#   * passive authentication of the BSI TR-03105-5 reference EF.SOD (tests/data/emrtd/bsi:
#     RSASSA-PSS 2048 with SHA-256, DG1 and DG14 hashed; no CSCA exists for it, so no chain);
#   * passive authentication of a P-256 ECDSA CSCA → DS → EF.SOD chain made by the program, with
#     every check (hashes, signature, chain to the CSCA, dates);
#   * MRZ parses (a Vietnamese TD1 zone, every check digit and the card's rules) and QR parses.
# Next to them, `openssl speed` on the same core for the verifications each PA needs (one RSA-2048
# verification for the first, two P-256 ECDSA verifications — the SOD and the DS certificate — for
# the second), which bounds what PA can reach. Prints a markdown section on stdout; it does not
# write bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."

SECS=${BENCH_CARD_SECONDS:-3}
OUT=build/bench
mkdir -p "$OUT"
make --no-print-directory build/dinhdanh >/dev/null
objs=(build/obj/src/card/*.o build/obj/src/base/str.o build/obj/src/base/utf8.o
    build/obj/src/base/arena.o build/obj/src/base/mem.o build/obj/src/base/err.o)
cc -O2 -std=c11 -D_GNU_SOURCE -Isrc -Wall -Wextra -Werror -o "$OUT/card_bench" bench/card_bench.c \
    "${objs[@]}" $(pkg-config --libs openssl jansson libutf8proc) -lpthread

pin=()
command -v taskset >/dev/null && pin=(taskset -c 0)
declare -A R
while read -r name value; do R[$name]=$value; done < <("${pin[@]}" "$OUT/card_bench" "$SECS" tests/data/emrtd/bsi)

# openssl speed prints "rsa 2048 bits 0.000025s 0.000012s  40000.0  80000.0" (sign/s, verify/s)
# and "256 bits ecdsa (nistp256)   0.0000s   0.0001s  50000.0  15000.0".
speed=$("${pin[@]}" openssl speed -seconds "$SECS" rsa2048 ecdsap256 2>/dev/null)
rsa_verify=$(awk '/^rsa 2048 bits/ {printf "%.0f", $NF}' <<<"$speed")
ec_verify=$(awk '/ecdsa \(nistp256\)/ {printf "%.0f", $NF}' <<<"$speed")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}'; }
rsa_bound=$rsa_verify
ec_bound=$(awk -v v="$ec_verify" 'BEGIN {printf "%.0f", v / 2}')

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
echo
echo "## Chip ID card — $(date -u '+%Y-%m-%d %H:%M UTC') (tree $(git describe --always --dirty 2>/dev/null || echo 'no git'))"
echo
echo "One core ($cpu), ${SECS} s per figure; $(openssl version | awk '{print $1, $2}'); load average $(cut -d' ' -f1-3 /proc/loadavg)."
echo
echo "| operation | per second | OpenSSL bound on this core | share of the bound |"
echo "|---|---:|---:|---:|"
echo "| PA, BSI reference SOD (RSASSA-PSS 2048; hashes, signature, dates) | ${R[pa_rsapss2048_no_chain]} | $rsa_bound (1 RSA-2048 verify) | $(ratio "${R[pa_rsapss2048_no_chain]}" "$rsa_bound") |"
echo "| PA, P-256 chain (hashes, signature, chain, dates) | ${R[pa_p256_full_chain]} | $ec_bound (2 P-256 verifies) | $(ratio "${R[pa_p256_full_chain]}" "$ec_bound") |"
echo "| MRZ parse (TD1, Vietnamese card) | ${R[mrz_td1]} | | |"
echo "| QR parse | ${R[qr]} | | |"
