#!/usr/bin/env bash
# SIGINT and SIGTERM stop `study run` with the shell's status for the signal (130, 143), not 0,
# and the next run resumes the study to its budget.
set -uo pipefail
cli=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
echo '{"name": "s", "evaluator": "synthetic", "budget_trials": 8, "synthetic_delay": 0.5}' > "$dir/spec.json"
"$cli" study create --db "$dir/s.db" --spec "$dir/spec.json" > /dev/null || exit 1
for signal in INT TERM; do
  "$cli" study run --db "$dir/s.db" --name s > /dev/null 2>&1 &
  pid=$!
  sleep 1.5
  kill -$signal $pid
  wait $pid
  status=$?
  expected=$([ $signal = INT ] && echo 130 || echo 143)
  [ "$status" -eq "$expected" ] || { echo "SIG$signal: exit status $status, expected $expected"; exit 1; }
done
"$cli" study run --db "$dir/s.db" --name s | tail -1 | grep -q "^8 trials done" || { echo "did not resume"; exit 1; }
echo ok
