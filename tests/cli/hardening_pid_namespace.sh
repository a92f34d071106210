#!/usr/bin/env bash
# Hardening (issue 15, case 4): a runner killed inside a PID namespace leaves a lock naming a PID
# (1 there) that is alive out here; the next run recognises the holder as gone (its start time
# matches no live process) and takes the study over instead of refusing forever.
# Exit 77 (skipped) where unshare --pid is not allowed.
# Usage: hardening_pid_namespace.sh CLI
set -euo pipefail
cli=$1
dir=$(mktemp -d)
trap 'pkill -9 -f "study run --db $dir/s.db" 2> /dev/null || true; rm -rf "$dir"' EXIT
unshare --pid --fork --mount-proc true 2> /dev/null || { echo "unshare --pid is not allowed here: skipped"; exit 77; }
echo '{"name": "a", "synthetic_delay": 2, "budget_trials": 50}' > "$dir/spec.json"
"$cli" study create --db "$dir/s.db" --name a --evaluator synthetic --spec "$dir/spec.json" > /dev/null
unshare --pid --fork --mount-proc "$cli" study run --db "$dir/s.db" --name a > /dev/null 2>&1 &
for _ in $(seq 50); do
  holder=$(/usr/bin/python3 -c "import sqlite3, sys; print(*sqlite3.connect(sys.argv[1]).execute('select pid from run_locks').fetchone() or [''])" "$dir/s.db" 2> /dev/null || true)
  [ -n "$holder" ] && break
  sleep 0.2
done
[ "$holder" = 1 ] || { echo "FAIL: the namespaced runner's lock names pid '$holder', expected 1"; exit 1; }
pkill -9 -f "study run --db $dir/s.db"
wait || true
output=$("$cli" study run --db "$dir/s.db" --name a --budget-trials 3 2>&1) || { echo "FAIL: $output"; exit 1; }
echo "a lock naming pid 1 from a killed namespaced runner was taken over: ${output##*$'\n'}"
