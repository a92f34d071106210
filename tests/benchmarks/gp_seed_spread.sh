#!/usr/bin/env bash
# How much do `quantscope-cli gp`'s (the workbench's) medians and 95 % intervals move with the seed
# alone? The predictions average over a few hyperparameter samples (slice sampling from the MAP
# point, Laplace draws beyond 160 rows), so another seed (a restart, the workbench's running fit
# against `study pareto`'s) gives other samples and other interval ends. Trains on one seeded random
# N rows of a recording (docs/data/*_evaluations.csv), fits it with SEEDS seeds for each number of
# samples, predicts every task at the uniform 8/4/3/2-bit configurations and ten held-out ones, and
# prints per task the range over seeds (max - min, in points) of the median, lower and upper end,
# averaged over the queries, with the largest range and the seconds per fit. CSV to stdout.
# SAMPLES "default" is the workbench's count (no --samples: 8 from 81 rows, 16 from 41, 32 up to 40).
# Usage: gp_seed_spread.sh CLI RECORDING.csv ENCODING ROWS[,ROWS...] SAMPLES[,SAMPLES...] SEEDS
set -euo pipefail
cli=$1 recording=$2 encoding=$3 sizes=$4 sample_counts=$5 seeds=$6
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
echo "rows,samples,task,queries,median_range,lower_range,upper_range,largest_range,seconds_per_fit"
for rows in ${sizes//,/ }; do
  python3 "$(dirname "$0")/split_recording.py" "$recording" "$rows" 7 "$dir"
  python3 - "$dir" <<'PY'
import sys
folder = sys.argv[1]
layers = len(open(folder + "/held_configs.txt").readline().strip().split(","))
queries = [",".join([str(b)] * layers) for b in (8, 4, 3, 2)]
queries += [c for c in open(folder + "/held_configs.txt").read().split() if c not in queries][:10]
open(folder + "/queries.txt", "w").write("".join(q + "\n" for q in queries))
PY
  for samples in ${sample_counts//,/ }; do
    count=()
    [ "$samples" = default ] || count=(--samples "$samples")
    start=$(date +%s.%N)
    for seed in $(seq 1 "$seeds"); do
      "$cli" gp --trials "$dir/train.csv" --encoding "$encoding" --query-file "$dir/queries.txt" \
        --task-steps "$(cat "$dir/task_steps")" --seed "$seed" "${count[@]}" --json > "$dir/out_$seed.json"
    done
    seconds=$(python3 -c "import sys; print(f'{(float(sys.argv[2]) - float(sys.argv[1])) / int(sys.argv[3]):.2f}')" \
      "$start" "$(date +%s.%N)" "$seeds")
    python3 - "$dir" "$rows" "$samples" "$seeds" "$seconds" <<'PY'
import json, sys
folder, rows, samples, seeds, seconds = sys.argv[1:6]
runs = [json.load(open(f"{folder}/out_{s}.json"))["predictions"] for s in range(1, int(seeds) + 1)]
by_task = {}
for i, p in enumerate(runs[0]):
    ranges = [max(r[i][k] for r in runs) - min(r[i][k] for r in runs) for k in ("median", "lower", "upper")]
    by_task.setdefault(p["task"], []).append(ranges)
for task, ranges in sorted(by_task.items()):
    mean = [sum(r[k] for r in ranges) / len(ranges) for k in range(3)]
    largest = max(max(r) for r in ranges)
    print(f"{rows},{samples},{task},{len(ranges)},{mean[0]:.2f},{mean[1]:.2f},{mean[2]:.2f},{largest:.2f},{seconds}")
PY
  done
done
