#!/usr/bin/env bash
# The ebs strategy from the command line (issue 18): `study create --strategy ebs` runs search
# jobs on the shipped model whose configurations become target-task trials; `study pareto` lists
# the jobs with their trials and `study status` counts their time in the study's cost.
set -euo pipefail
cli=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat > "$dir/ebs.json" <<'JSON'
{"name": "e", "strategy": "ebs", "limit": 64, "threads": 1, "measure_baselines": false, "budget_trials": 2,
 "tasks": [{"name": "quantize only", "steps": 0, "cost": 1}, {"name": "5 steps", "steps": 5, "cost": 2}]}
JSON
"$cli" study create --db "$dir/e.db" --spec "$dir/ebs.json" --ebs-steps 3 | grep -q "ebs search jobs of 3 steps" \
  || { echo "create does not say what it runs"; exit 1; }
"$cli" study run --db "$dir/e.db" --name e > /dev/null
pareto=$("$cli" study pareto --db "$dir/e.db" --name e)
jobs=$(echo "$pareto" | sed -n '/^EBS search jobs/,/^$/p')
[ "$(echo "$jobs" | grep -c '^  [12] ')" = 2 ] || { echo "two jobs expected in: $pareto"; exit 1; }
echo "$jobs" | grep -q '^  1 .* 1 *[0-9]\+\.[0-9][0-9]$' || { echo "job 1 has no measured trial: $jobs"; exit 1; }
status=$("$cli" study status --db "$dir/e.db" --name e)
echo "$status" | grep -q "2 done.*in 2 EBS search jobs" || { echo "search cost not counted: $status"; exit 1; }
"$cli" study pareto --db "$dir/e.db" --name e --json | grep -q '"ebs_search_jobs"' || { echo "no jobs in JSON"; exit 1; }
echo ok
