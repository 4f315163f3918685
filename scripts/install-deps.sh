#!/usr/bin/env bash
# install-deps.sh WHEN... — installs the Debian packages from debian-packages.txt needed for the
# given purposes (build, test, bench, lint). As root it runs apt-get; otherwise it prints the one
# command to run and fails. Packages already installed are left alone, so a second run is quick.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
while read -r pkg when extra; do
    case "$pkg" in ''|'#'*) continue ;; esac
    wanted=0
    for w in "$@"; do
        case ",$when," in *",$w,"*) wanted=1 ;; esac
    done
    [ "$wanted" = 1 ] || continue
    if [ -n "${extra:-}" ] && [ "${extra#cmd:}" != "$extra" ] && command -v "${extra#cmd:}" >/dev/null 2>&1; then
        continue
    fi
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done < debian-packages.txt

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "dinhdanh needs these Debian packages: ${missing[*]}" >&2
    echo "Install them with:" >&2
    echo "    sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi
echo "Installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
