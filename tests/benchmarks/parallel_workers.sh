#!/usr/bin/env bash
# Wall time of one fixed set of real trials (the random strategy's, so both runs evaluate the same
# configurations) run as one evaluation at a time with all threads, and as parallel worker
# processes sharing the threads out (each worker a persistent `study evaluate --serve` process);
# then the ceiling: how much faster one trial's fine-tuning runs on CORES threads than on one, since
# there N workers can gain N / that at most. Usage: parallel_workers.sh CLI [TRIALS] [STEPS] [CORES]
set -euo pipefail
cli=$1 trials=${2:-8} steps=${3:-100} cores=${4:-$(nproc)}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat > "$dir/spec.json" << JSON
{"name": "bench", "strategy": "random", "encoding": "per-layer", "batch": $cores, "budget_trials": $trials,
 "tasks": [{"name": "quantize only", "steps": 0, "cost": 2}, {"name": "$steps steps", "steps": $steps, "cost": 10}]}
JSON
echo "$trials trials of $steps fine-tuning steps on the shipped model, $cores cores"
printf "%-28s %10s %12s\n" "setup" "wall (s)" "trials/min"
declare -A wall trial
for setup in "1 $cores" "$cores 1"; do
  read -r workers threads <<< "$setup"
  rm -f "$dir/s.db"
  "$cli" study create --db "$dir/s.db" --name bench --spec "$dir/spec.json" > /dev/null
  start=$(date +%s.%N)
  "$cli" study run --db "$dir/s.db" --name bench --workers "$workers" --threads "$threads" > "$dir/run-$workers.txt"
  end=$(date +%s.%N)
  wall[$workers]=$(awk "BEGIN {print $end - $start}")
  "$cli" study export --db "$dir/s.db" --name bench --format trials-csv | cut -d'"' -f2 | tail -n +2 | sort > "$dir/configs-$workers.txt"
  printf "%-28s %10.1f %12.2f\n" "$workers worker(s) x $threads thread(s)" "${wall[$workers]}" \
    "$(awk "BEGIN {print 60 * $trials / ${wall[$workers]}}")"
done
cmp -s "$dir/configs-1.txt" "$dir/configs-$cores.txt" || echo "warning: the two runs evaluated different configurations"
printf "speed-up of %s workers: %.2fx\n" "$cores" "$(awk "BEGIN {print ${wall[1]} / ${wall[$cores]}}")"
# The ceiling: one trial's fine-tuning at 1 and at $cores threads (start-up, measured with 0 steps,
# taken off both).
seconds() { local s; s=$(date +%s.%N); "$@" > /dev/null; awk "BEGIN {print $(date +%s.%N) - $s}"; }
for threads in 1 "$cores"; do
  startup=$(seconds "$cli" eval --bits 4 --finetune-steps 0 --threads "$threads" --json)
  total=$(seconds "$cli" eval --bits 4 --finetune-steps "$steps" --threads "$threads" --json)
  trial[$threads]=$(awk "BEGIN {print $total - $startup}")
done
printf "one trial's %s steps: %.1f s on 1 thread, %.1f s on %s: intra-op speed-up %.2fx, so on fine-tuning %s workers can gain %.2fx\n" \
  "$steps" "${trial[1]}" "${trial[$cores]}" "$cores" "$(awk "BEGIN {print ${trial[1]} / ${trial[$cores]}}")" "$cores" \
  "$(awk "BEGIN {print $cores * ${trial[$cores]} / ${trial[1]}}")"
