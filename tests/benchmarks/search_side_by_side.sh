#!/usr/bin/env bash
# NUQ's search, EBS, random search and the uniform baselines side by side on a real network at equal
# wall time (issue 18): each method runs as a study with the same cost budget in seconds (trials'
# evaluation time, and for EBS its search jobs' time too), then the hypervolume of its measured
# target-task front (accuracy vs memory) is computed against one reference for every run: memory at
# uniform 8 bits, accuracy FLOOR. "uniform" evaluates uniform 8/4/3/2 bits only (its own cost).
#
# Usage: search_side_by_side.sh CLI OUT.csv [SECONDS] [SEEDS] [MODEL] [METHODS]
# Defaults: 600 s, seeds 1, the shipped model, uniform,nuq,ebs,random. Environment: FLOOR (top-1 %,
# default 85), THREADS (compute threads, default 2), LIMIT (images per split, default all),
# FIRST_SEED (default 1: SEEDS seeds from there), APPEND (1: add rows to OUT and FRONTS where they
# exist, for later seeds or methods),
# FRONTS (CSV of every run's front points, default OUT with _fronts), KEEP (folder to keep studies).
set -euo pipefail
cli=$1 out=$2 seconds=${3:-600} seeds=${4:-1} model=${5:-} methods=${6:-uniform,nuq,ebs,random}
floor=${FLOOR:-85} threads=${THREADS:-2} limit=${LIMIT:-0} first_seed=${FIRST_SEED:-1}
fronts=${FRONTS:-${out%.csv}_fronts.csv}
dir=${KEEP:-$(mktemp -d)}
mkdir -p "$dir"
[ -n "${KEEP:-}" ] || trap 'rm -rf "$dir"' EXIT
network=$(basename "${model:-shipped}" .pt)
if [ "${APPEND:-0}" != 1 ] || [ ! -s "$out" ]; then
  echo "network,method,seed,budget_s,spent_s,search_s,target_trials,front_size,hypervolume,reference_mb,floor" > "$out"
fi
if [ "${APPEND:-0}" != 1 ] || [ ! -s "$fronts" ]; then
  echo "network,method,seed,config,memory_mb,accuracy" > "$fronts"
fi
for seed in $(seq "$first_seed" $((first_seed + seeds - 1))); do
  for method in ${methods//,/ }; do
    name="$network-$method-$seed"
    case $method in
      uniform) strategy=random baselines=true budget="\"budget_trials\": 4" ;;
      *) strategy=$method baselines=false budget="\"budget_cost\": $seconds" ;;
    esac
    cat > "$dir/$name.json" << JSON
{"name": "$name", "model": "$model", "strategy": "$strategy", "seed": $seed, "threads": $threads, "limit": $limit,
 "measure_baselines": $baselines, $budget}
JSON
    rm -f "$dir/$name.db"*
    "$cli" study create --db "$dir/$name.db" --spec "$dir/$name.json" > /dev/null
    start=$(date +%s)
    "$cli" study run --db "$dir/$name.db" --name "$name" > "$dir/$name.log"
    echo "$name: $(( $(date +%s) - start )) s" >&2
    "$cli" study pareto --db "$dir/$name.db" --name "$name" --json > "$dir/$name.pareto.json"
    "$cli" study status --db "$dir/$name.db" --name "$name" --json > "$dir/$name.status.json"
    python3 - "$dir/$name.pareto.json" "$dir/$name.status.json" "$network" "$method" "$seed" "$seconds" "$floor" \
      "$out" "$fronts" << 'PY'
import json, sys
pareto_path, status_path, network, method, seed, budget, floor, out, fronts = sys.argv[1:]
pareto, status, floor = json.load(open(pareto_path)), json.load(open(status_path)), float(floor)
# One reference for every run on the network: uniform 8 bits' memory (the baselines list has it,
# measured or predicted).
if not pareto["baselines"]:
    sys.exit(f"{pareto_path}: no uniform baselines, measured or predicted: the study ended before "
             "its model could predict them (raise SECONDS)")
reference = max(p["memory_mb"] for p in pareto["baselines"])
front = sorted((p["memory_mb"], p["accuracy"]) for p in pareto["observed_front"])
volume = 0.0
for i, (memory, accuracy) in enumerate(front):
    right = front[i + 1][0] if i + 1 < len(front) else reference
    volume += max(0.0, min(right, reference) - memory) * max(0.0, accuracy - floor)
target = sum(1 for t in status["trials"] if t["task"] == pareto["target_task"] and t["status"] == "done")
with open(out, "a") as f:
    f.write(f'{network},{method},{seed},{budget if method != "uniform" else ""},{status["cost"]:.1f},'
            f'{status.get("search_cost", 0):.1f},{target},{len(front)},{volume:.6f},{reference:.6f},{floor}\n')
with open(fronts, "a") as f:
    for p in pareto["observed_front"]:
        f.write(f'{network},{method},{seed},"{p["config"]}",{p["memory_mb"]:.6f},{p["accuracy"]:.4f}\n')
PY
    tail -1 "$out"
  done
done
