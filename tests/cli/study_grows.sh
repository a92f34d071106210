#!/usr/bin/env bash
# A study's budget can grow after creation: `study run --budget-trials N` on a finished study
# stores the new budget, says so, and runs until N trials are done.
set -euo pipefail
cli=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$cli" study create --db "$dir/grow.db" --name s --evaluator synthetic --budget-trials 4 > /dev/null
"$cli" study run --db "$dir/grow.db" --name s > /dev/null
out=$("$cli" study run --db "$dir/grow.db" --name s --budget-trials 7)
echo "$out" | grep -q "budget 4 trials -> 7 trials" || { echo "no budget line in: $out"; exit 1; }
echo "$out" | tail -1 | grep -q "^7 trials done" || { echo "not extended: $out"; exit 1; }
"$cli" study status --db "$dir/grow.db" --name s --json | grep -q '"done": 7' || { echo "status is not 7 done"; exit 1; }
"$cli" study status --db "$dir/grow.db" --name s | grep -q "budget 7 trials" || { echo "budget not stored"; exit 1; }
echo ok
