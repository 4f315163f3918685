#!/usr/bin/env bash
# run-demo.sh — `make run`: serves dinhdanh on http://127.0.0.1:8080 with a SQLite database in
# var/, in the foreground (Ctrl-C stops it).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var

# ---- DEMO DATA (to come) --------------------------------------------------------------------
# Here the demo province will be created in var/dinhdanh.db and the way to log in printed
# (accounts for a citizen and an officer). Nothing to do until identity lands.
# ---------------------------------------------------------------------------------------------

echo "dinhdanh: open http://127.0.0.1:8080 in a browser (Ctrl-C to stop)"
echo "          database var/dinhdanh.db, data folder var/"
exec build/dinhdanh serve --listen 127.0.0.1:8080 --db sqlite:var/dinhdanh.db --data-dir var
