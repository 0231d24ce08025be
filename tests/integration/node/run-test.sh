#!/bin/sh
# ctest wrapper for one node/*.test.mjs: fails (never skips) when node_modules or node is missing.
# usage: run-test.sh <file.test.mjs>
dir=$(cd "$(dirname "$0")" && pwd)
if [ ! -d "$dir/node_modules" ]; then
    echo "FAIL: $dir/node_modules is missing: run 'npm ci' in $dir first" >&2
    exit 1
fi
if ! command -v node >/dev/null 2>&1; then
    echo "FAIL: node is not installed (Node >= 18 is needed for the JS SDK v3 tests)" >&2
    exit 1
fi
cd "$dir" && exec node --test "$1"
