#!/usr/bin/env bash
# SIGINT and SIGTERM stop `study run` with the shell's status for the signal (130, 143), not 0,
# and the next run resumes the study to its budget.
set -uo pipefail
cli=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
echo '{"name": "s", "evaluator": "synthetic", "budget_trials": 20, "synthetic_delay": 0.5}' > "$dir/spec.json"
"$cli" study create --db "$dir/s.db" --spec "$dir/spec.json" > /dev/null || exit 1
for signal in INT TERM; do
  "$cli" study run --db "$dir/s.db" --name s > /dev/null 2>&1 &
  pid=$!
  # Signal it once it evaluates (start-up may be slow: sanitizer builds, a loaded machine; and a
  # background job ignores SIGINT until the program installs its handler).
  for _ in $(seq 100); do
    "$cli" study status --db "$dir/s.db" --name s | grep -q " [1-9][0-9]* running" && break
    sleep 0.2
  done
  kill -$signal $pid
  wait $pid
  status=$?
  expected=$([ $signal = INT ] && echo 130 || echo 143)
  [ "$status" -eq "$expected" ] || { echo "SIG$signal: exit status $status, expected $expected"; exit 1; }
done
"$cli" study run --db "$dir/s.db" --name s | tail -1 | grep -q "^20 trials done" || { echo "did not resume"; exit 1; }
echo ok
