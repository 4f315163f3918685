#!/usr/bin/env bash
# run-demo.sh — `make run`: fills var/dinhdanh.db with the demo province on the first run, then
# serves dinhdanh on http://127.0.0.1:8080 with that SQLite database in
# var/, in the foreground (Ctrl-C stops it).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var

# ---- DEMO DATA ------------------------------------------------------------------------------
# The first run fills var/dinhdanh.db with the demo province (100 000 people of Khánh Hòa, see
# `dinhdanh demo --help`); later runs keep what is there. Either way it prints the officer
# accounts and how to get a token. To start again from scratch: rm var/dinhdanh.db*
build/dinhdanh demo --if-empty --db sqlite:var/dinhdanh.db --data-dir var
echo
# ---------------------------------------------------------------------------------------------

# The web frame signs people in through the platform's own OpenID Connect provider as the public
# client ddc_portal (docs/WEB.md): registered once, for this address.
if ! build/dinhdanh client list --db sqlite:var/dinhdanh.db --data-dir var | grep -q '"client_id":"ddc_portal"'; then
    build/dinhdanh client add 'Cổng công dân' --client-id ddc_portal --grant authorization_code \
        --auth none --scope openid --redirect-uri http://127.0.0.1:8080/signin/callback.html \
        --db sqlite:var/dinhdanh.db --data-dir var >/dev/null
    echo "dinhdanh: registered the portal's sign-in client ddc_portal"
fi

# The register's person lookup, household and residence verification as gateway services of
# VN/GOV/CA-KH/register (docs/LGSP.md); idempotent, it renews their token on each start.
build/dinhdanh lgsp publish-register --upstream http://127.0.0.1:8080 --db sqlite:var/dinhdanh.db \
    --data-dir var >/dev/null

echo "dinhdanh: open http://127.0.0.1:8080 in a browser, the homes at http://127.0.0.1:8080/signin/ (Ctrl-C to stop)"
echo "          database var/dinhdanh.db, data folder var/"
# Payments run against the sandbox gateway with a made-up collection account (docs/PAYMENTS.md).
exec build/dinhdanh serve --listen 127.0.0.1:8080 --db sqlite:var/dinhdanh.db --data-dir var \
    --pay-sandbox on --pay-vnpay-secret demo-sandbox-secret --pay-webhook-secret demo-webhook-secret \
    --pay-bank-bin 970415 --pay-bank-account 0000123456789
