#!/usr/bin/env bash
# `gp` on a study's trials-csv export predicts what the study (and so the workbench) predicts: the
# same model, averaged over the same hyperparameter samples, its tasks placed on the budget axis by
# the export's steps column (or --task-steps while some budget has no trials), its queued and failed
# trials skipped.
set -euo pipefail
cli=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$cli" study create --db "$dir/s.db" --name s --evaluator synthetic --encoding bezier2 --seed 3 --budget-trials 12 > /dev/null
check() { # the study's state in words; extra gp arguments
  local state=$1
  shift
  "$cli" study export --db "$dir/s.db" --name s --format trials-csv --out "$dir/trials.csv" > /dev/null
  "$cli" study pareto --db "$dir/s.db" --name s --json > "$dir/pareto.json"
  python3 - "$state" "$dir" "$cli" "$@" <<'PY'
import json, subprocess, sys
state, folder, cli, extra = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
pareto = json.load(open(folder + "/pareto.json"))
points = [p for p in pareto["predicted_front"] if not p["observed"]][:3]
if not points:
    sys.exit(f"{state}: no predicted point on the front")
for point in points:
    out = subprocess.run([cli, "gp", "--trials", folder + "/trials.csv", "--encoding", "bezier2", "--seed", "3",
                          "--query", point["config"], "--task", str(pareto["target_task"]), "--json"]
                         + extra, check=True, capture_output=True, text=True).stdout
    gp = json.loads(out)
    mine = gp["predictions"][0]
    # The workbench's count: 8 slice samples from 81 trials, 16 from 41, 32 up to 40.
    done = sum(1 for line in open(folder + "/trials.csv").read().splitlines()[1:] if ",done," in line)
    expected = 32 if done <= 40 else 16 if done <= 80 else 8
    if gp["hyperparameter_samples"] != expected:
        sys.exit(f"{state}: gp averaged over {gp['hyperparameter_samples']} hyperparameter sets, the study over {expected}")
    for ours, theirs in (("median", "predicted"), ("lower", "lower"), ("upper", "upper")):
        if abs(mine[ours] - point[theirs]) > 1e-6:
            sys.exit(f"{state}, {point['config']}: gp {ours} {mine[ours]:.6f}, study {theirs} {point[theirs]:.6f}")
print(f"{state}: {len(points)} predictions agree")
PY
}
"$cli" study run --db "$dir/s.db" --name s > /dev/null
check "after the initial design (no trial on the middle budgets)" --task-steps 0,1,2,15
"$cli" study run --db "$dir/s.db" --name s --budget-trials 20 > /dev/null
check "20 trials" --task-steps 0,1,2,15
# Without --task-steps a budget without rows has no known place: said on stderr, tasks by index.
"$cli" gp --trials "$dir/trials.csv" --encoding bezier2 --query 8,8,8,8,8,8,8,8,8 --restarts 1 --samples 0 \
  2> "$dir/note" > /dev/null
grep -q "task 1 has no rows, so its fine-tuning steps are unknown" "$dir/note" || { echo "no note: $(cat "$dir/note")"; exit 1; }
# The steps column places the tasks as --task-steps does (the recording's first 10 rows of quantize
# only and of the target, one of each middle budget, whose range the budget axis decides).
python3 - "$(dirname "$0")/../../docs/data/shipped_model_evaluations.csv" "$dir" <<'PY'
import csv, sys
rows, taken = [], {}
for r in csv.DictReader(open(sys.argv[1])):
    if taken.get(r["task"], 0) < (10 if r["task"] in ("0", "3") else 1):
        taken[r["task"]] = taken.get(r["task"], 0) + 1
        rows.append(r)
assert sorted(taken) == ["0", "1", "2", "3"], "the recording does not hold every budget"
for name, columns in (("recorded.csv", ["config", "task", "steps", "accuracy"]), ("no_steps.csv", ["config", "task", "accuracy"])):
    with open(sys.argv[2] + "/" + name, "w", newline="") as out:
        w = csv.writer(out)
        w.writerow(columns)
        for r in rows:
            w.writerow([r[c] for c in columns])
PY
predict() { "$cli" gp --trials "$dir/$1" --encoding bezier2 --query 2,2,2,2,2,2,2,2,2 --task 1 --restarts 1 --json "${@:2}"; }
with_column=$(predict recorded.csv)
with_option=$(predict no_steps.csv --task-steps 0,50,150,600)
by_index=$(predict no_steps.csv)
[ "$with_column" = "$with_option" ] || { echo "the steps column and --task-steps disagree"; exit 1; }
[ "$with_column" != "$by_index" ] || { echo "placing the tasks by steps changed nothing"; exit 1; }
echo "the steps column places the tasks as --task-steps does"
