#!/usr/bin/env bash
# lint.sh — the static checks `make lint` runs; exits non-zero on any finding.
#
#   1. clang-format (.clang-format) on the C sources of src/, tests/unit, tests/fuzz and tools/;
#   2. no calls to strcpy, sprintf, strcat, gets, atoi or strtok in src/ and tools/ (file:line);
#   3. cppcheck on src/ (warning, performance, portability; inline suppressions allowed), with
#      scripts/cppcheck.cfg describing the jansson macros.
set -uo pipefail
cd "$(dirname "$0")/.."

status=0
mapfile -t files < <(find src tests/unit tests/fuzz tools -name '*.c' -o -name '*.h' 2>/dev/null | sort)

echo "== clang-format (${#files[@]} files)"
if [ ${#files[@]} -gt 0 ] && ! clang-format --dry-run -Werror "${files[@]}"; then
    echo "!! layout differs from .clang-format (fix: clang-format -i FILE)" >&2
    status=1
fi

echo "== banned functions"
# A whole-word call such as `strcpy (` or `atoi(`; names like my_strcpy or strtok_r do not match.
if grep -rnE --include='*.c' --include='*.h' \
    '(^|[^A-Za-z0-9_])(strcpy|sprintf|strcat|gets|atoi|strtok)[[:space:]]*\(' src tools; then
    echo "!! banned functions above (use the bounded helpers in src/base/)" >&2
    status=1
fi

echo "== cppcheck"
if ! cppcheck --quiet --enable=warning,performance,portability --error-exitcode=1 \
    --inline-suppr --std=c11 -D_GNU_SOURCE -I src --suppress=missingIncludeSystem \
    --library=scripts/cppcheck.cfg \
    --template='{file}:{line}: {severity}: {message} [{id}]' src; then
    echo "!! cppcheck findings above" >&2
    status=1
fi

[ "$status" -eq 0 ] && echo "lint: clean"
exit "$status"
