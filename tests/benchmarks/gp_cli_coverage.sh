#!/usr/bin/env bash
# How honest are `quantscope-cli gp`'s intervals on real evaluations? Trains on a seeded random N rows
# of a recording (docs/data/*_evaluations.csv), predicts every held-out evaluation's configuration
# on its task, and counts the held-out evaluations inside the 95 % interval: with the workbench's
# hyperparameter samples (samples "default": 32 up to 40 rows, 16 up to 80, 8 beyond) and with the
# MAP fit alone (--samples 0). Writes CSV to stdout.
# Usage: gp_cli_coverage.sh CLI RECORDING.csv ROWS[,ROWS...] SEEDS
set -euo pipefail
cli=$1 recording=$2 sizes=$3 seeds=$4
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
echo "rows,seed,samples,task,inside,held_out"
for rows in ${sizes//,/ }; do
for seed in $(seq 1 "$seeds"); do
  python3 "$(dirname "$0")/split_recording.py" "$recording" "$rows" "$seed" "$dir"
  sort -u "$dir/held_configs.txt" > "$dir/queries.txt"
  for samples in default 0; do
    count=()
    [ "$samples" = default ] || count=(--samples "$samples")
    "$cli" gp --trials "$dir/train.csv" --query-file "$dir/queries.txt" --task-steps "$(cat "$dir/task_steps")" \
      --seed "$seed" "${count[@]}" --json > "$dir/out.json"
    python3 - "$dir" "$rows" "$seed" "$samples" <<'PY'
import csv, json, sys
folder, rows, seed, samples = sys.argv[1:5]
predicted = {(p["config"], p["task"]): p for p in json.load(open(folder + "/out.json"))["predictions"]}
tally = {}
for r in csv.DictReader(open(folder + "/held.csv")):
    p, a = predicted[(r["config"], int(r["task"]))], float(r["accuracy"])
    t = tally.setdefault(int(r["task"]), [0, 0])
    t[0] += p["lower"] <= a <= p["upper"]
    t[1] += 1
for task, (inside, count) in sorted(tally.items()):
    print(f"{rows},{seed},{samples},{task},{inside},{count}")
PY
  done
done
done
