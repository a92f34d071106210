#!/usr/bin/env bash
# The Slurm executor on a one-node cluster (tests/slurm/one_node_cluster.sh), as docs/slurm.md
# promises it:
#   A. a synthetic study with 3 jobs at once reaches its budget; its runner SIGKILLed while jobs are
#      queued and running, then restarted, finishes with no trial lost or submitted twice (job ids
#      checked in the trials' folders);
#   B. a job cancelled from outside (scancel) and one past its time limit end as failed trials with
#      the reason, and the study goes on to its budget;
#   C. cancelling the run (SIGINT, as the workbench's Stop does through the service) leaves no job
#      of the study in the queue, and the next run submits those trials afresh;
#   E. a partition sbatch refuses ends the run with sbatch's reason and fails no trial;
#   F. a job whose node fails is submitted again, and its trial is done;
#   D. a LibTorch study (short budget) run as Slurm jobs measures and exports what a local run with
#      the same seeds does.
# Exits 77 (skipped, with the reason) where the cluster cannot start.
#
#   tests/slurm/slurm_executor_test.sh build/app/quantscope-cli
set -uo pipefail

cli=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/quantscope-slurm-test.XXXXXX)
export QUANTSCOPE_SLURMCTLD_PORT=$((20000 + $$ % 20000))
export QUANTSCOPE_SLURMD_PORT=$((QUANTSCOPE_SLURMCTLD_PORT + 1))
if ! started=$("$here/one_node_cluster.sh" start "$work/cluster" 2>&1); then
  echo "skipped: the one-node Slurm cluster did not start here: $started"
  rm -rf "$work"
  exit 77
fi
eval "$started" # export SLURM_CONF=...
trap '"$here/one_node_cluster.sh" stop "$work/cluster"; rm -rf "$work"' EXIT
cd "$work" || exit 1

fail() {
  echo "FAILED: $*"
  for log in "$work"/*.log; do echo "--- $log"; tail -n 20 "$log"; done
  exit 1
}

# Job ids of the study's jobs Slurm still lists in state $2 (all states when empty).
jobs_of() {
  squeue -h -o '%j %T %i' | awk -v prefix="$1-trial-" -v state="${2:-}" \
    'index($1, prefix) == 1 && (state == "" || $2 == state) { print $3 }'
}

wait_for() { # seconds, then a condition
  local seconds=$1
  shift
  for _ in $(seq 1 $((seconds * 4))); do
    if eval "$*"; then return 0; fi
    sleep 0.25
  done
  return 1
}

# --- A: budget with 3 concurrent jobs; the runner killed and restarted --------------------------
cat >a.json <<JSON
{"name": "a", "evaluator": "synthetic", "executor": "slurm", "workers": 3, "budget_trials": 9,
 "synthetic_delay": 4, "strategy": "random", "slurm": {"poll_seconds": 0.5}}
JSON
"$cli" study create --db a.db --spec a.json >create-a.log 2>&1 || fail "study create (A)"
"$cli" study run --db a.db --name a >run-a1.log 2>&1 &
runner=$!
wait_for 60 '[ -n "$(jobs_of a RUNNING)" ] && [ -n "$(jobs_of a PENDING)" ]' \
  || fail "A: no moment with jobs both running and queued"
kill -9 "$runner"
wait "$runner" 2>/dev/null
[ -n "$(jobs_of a)" ] || fail "A: the jobs died with the runner"
timeout 300 "$cli" study run --db a.db --name a >run-a2.log 2>&1 || fail "A: the restarted run failed"
"$cli" study status --db a.db --name a >status-a.log 2>&1
grep -q "9 done, 0 failed, 0 pending, 0 running" status-a.log || fail "A: $(cat status-a.log)"
folders=$(ls -d a.db.slurm/a/trial-* | wc -l)
submissions=$(cat a.db.slurm/a/trial-*/jobs | wc -l)
distinct=$(cat a.db.slurm/a/trial-*/jobs | sort -u | wc -l)
[ "$folders" -eq 9 ] || fail "A: $folders trials were submitted, the budget is 9"
[ "$submissions" -eq 9 ] && [ "$distinct" -eq 9 ] \
  || fail "A: $submissions submissions ($distinct distinct job ids) for 9 trials"
echo "A: 9 trials, 9 jobs, each submitted once across a SIGKILL of the runner"

# --- B: a job cancelled from outside, one past its time limit ------------------------------------
cat >evaluate.sh <<'SH'
#!/bin/bash
# Trials 2 and 3 never answer: 2 reaches the time limit, 3 is cancelled by the test.
trial=$(grep -o '"trial": *[0-9]*' | grep -o '[0-9]*$')
case "$trial" in
  2 | 3) sleep 600 ;;
  *) echo '{"accuracy": 80.5}' ;;
esac
SH
chmod +x evaluate.sh
cat >b.json <<JSON
{"name": "b", "evaluator": "command", "command": ["$work/evaluate.sh"], "executor": "slurm", "workers": 3,
 "budget_trials": 4, "strategy": "random", "slurm": {"poll_seconds": 0.5, "time_limit": "1"}}
JSON
"$cli" study create --db b.db --spec b.json >create-b.log 2>&1 || fail "study create (B)"
"$cli" study run --db b.db --name b --json >run-b.log 2>&1 &
runner=$!
wait_for 60 '[ -n "$(squeue -h --name=b-trial-3 -t RUNNING -o %i)" ]' || fail "B: trial 3 never ran"
scancel "$(squeue -h --name=b-trial-3 -o %i)"
wait_for 240 '! kill -0 $runner 2>/dev/null' || fail "B: the study did not finish within 240 s"
wait "$runner" || fail "B: the run failed"
grep -q '"trial":3,.*"status":"failed".*cancelled outside Quantscope' run-b.log || fail "B: trial 3 not failed as cancelled"
grep -q '"trial":2,.*"status":"failed".*time limit' run-b.log || fail "B: trial 2 not failed at its time limit"
"$cli" study status --db b.db --name b >status-b.log 2>&1
grep -q "4 done, 2 failed, 0 pending, 0 running" status-b.log || fail "B: $(cat status-b.log)"
echo "B: scancel and the time limit failed their trials with the reason; 4 more trials done"

# --- C: cancel from Quantscope, then resume ------------------------------------------------------
cat >hold.sh <<SH
#!/bin/bash
# Answers once the test removes the hold file.
while [ -f "$work/hold" ]; do sleep 0.2; done
echo '{"accuracy": 75}'
SH
chmod +x hold.sh
touch hold
cat >c.json <<JSON
{"name": "c", "evaluator": "command", "command": ["$work/hold.sh"], "executor": "slurm", "workers": 3,
 "budget_trials": 5, "strategy": "random", "slurm": {"poll_seconds": 0.5}}
JSON
"$cli" study create --db c.db --spec c.json >create-c.log 2>&1 || fail "study create (C)"
"$cli" study run --db c.db --name c >run-c.log 2>&1 &
runner=$!
wait_for 60 '[ "$(jobs_of c | wc -l)" -eq 3 ]' || fail "C: three jobs never queued"
kill -INT "$runner"
wait_for 30 '! kill -0 $runner 2>/dev/null' || fail "C: the run did not stop on SIGINT"
wait_for 15 '[ -z "$(jobs_of c PENDING)$(jobs_of c RUNNING)$(jobs_of c COMPLETING)" ]' \
  || fail "C: jobs left in the queue: $(squeue -h -o '%j %T')"
"$cli" study status --db c.db --name c >status-c.log 2>&1
grep -q "0 done, 0 failed, 3 pending, 0 running" status-c.log || fail "C: $(cat status-c.log)"
# The next run submits those trials afresh (their cancelled jobs are not taken up again).
rm hold
timeout 120 "$cli" study run --db c.db --name c >run-c2.log 2>&1 || fail "C: the resumed run failed"
"$cli" study status --db c.db --name c >status-c2.log 2>&1
grep -q "5 done, 0 failed, 0 pending, 0 running" status-c2.log || fail "C, resumed: $(cat status-c2.log)"
echo "C: cancelling the run cancelled its 3 jobs; the next run submitted them again and finished"

# --- E: a queue that refuses the trials stops the run with the reason, failing none of them -------
cat >e.json <<JSON
{"name": "e", "evaluator": "synthetic", "executor": "slurm", "workers": 2, "budget_trials": 4,
 "strategy": "random", "slurm": {"partition": "no-such-partition"}}
JSON
"$cli" study create --db e.db --spec e.json >create-e.log 2>&1 || fail "study create (E)"
if timeout 60 "$cli" study run --db e.db --name e >run-e.log 2>&1; then fail "E: the run succeeded"; fi
grep -q "could not submit trial 1: sbatch failed: .*Invalid partition" run-e.log || fail "E: $(cat run-e.log)"
"$cli" study status --db e.db --name e >status-e.log 2>&1
grep -q "0 done, 0 failed, 2 pending, 0 running" status-e.log || fail "E: $(cat status-e.log)"
echo "E: sbatch's refusal ended the run with its reason; the trials wait, pending"

# --- F: a job that loses its node is submitted again ---------------------------------------------
cat >f.json <<JSON
{"name": "f", "evaluator": "synthetic", "executor": "slurm", "workers": 1, "budget_trials": 1,
 "synthetic_delay": 20, "strategy": "random", "slurm": {"poll_seconds": 0.5, "max_requeues": 1}}
JSON
"$cli" study create --db f.db --spec f.json >create-f.log 2>&1 || fail "study create (F)"
"$cli" study run --db f.db --name f --json >run-f.log 2>&1 &
runner=$!
wait_for 60 '[ -n "$(squeue -h --name=f-trial-1 -t RUNNING -o %i)" ]' || fail "F: the trial never ran"
scontrol update nodename=localhost state=down reason=quantscope-test || fail "F: could not take the node down"
scontrol update nodename=localhost state=resume 2>/dev/null # back at once where ReturnToService has not done it
wait_for 120 '! kill -0 $runner 2>/dev/null' || fail "F: the study did not finish within 120 s"
wait "$runner" || fail "F: the run failed"
"$cli" study status --db f.db --name f >status-f.log 2>&1
grep -q "1 done, 0 failed" status-f.log || fail "F: $(cat status-f.log)"
[ "$(sort -u f.db.slurm/f/trial-1/jobs | wc -l)" -eq 2 ] || fail "F: jobs $(tr '\n' ' ' <f.db.slurm/f/trial-1/jobs)"
grep -q "\"job\":\"$(tail -n 1 f.db.slurm/f/trial-1/jobs)\"" run-f.log || fail "F: the trial names not its last job: $(cat run-f.log)"
echo "F: the job whose node failed was submitted again and the trial done"

# --- D: a real LibTorch study as Slurm jobs gives what a local run gives ----------------------------
for executor in local slurm; do
  cat >"d-$executor.json" <<JSON
{"name": "d", "evaluator": "torch", "limit": 300, "threads": 1, "workers": 1, "budget_trials": 4,
 "strategy": "random", "seed": 3, "measure_baselines": false, "executor": "$executor",
 "tasks": [{"name": "quantize only", "steps": 0, "cost": 1}, {"name": "20 steps", "steps": 20, "cost": 5}],
 "slurm": {"poll_seconds": 0.5}}
JSON
  "$cli" study create --db "d-$executor.db" --spec "d-$executor.json" >"create-d-$executor.log" 2>&1 \
    || fail "study create (D, $executor)"
  timeout 300 "$cli" study run --db "d-$executor.db" --name d >"run-d-$executor.log" 2>&1 || fail "D: $executor run"
  "$cli" study export --db "d-$executor.db" --name d --format trials-csv >"d-$executor.csv" 2>/dev/null \
    || fail "D: $executor export"
  "$cli" study export --db "d-$executor.db" --name d --format bits-json >"d-$executor-best.json" 2>/dev/null \
    || fail "D: $executor bits export"
done
grep -q "(job " run-d-slurm.log || fail "D: the Slurm run's trials name no job"
# Everything but the times: configurations, tasks, accuracies, memory and BOPs.
python3 - d-local.csv d-slurm.csv <<'PY' || fail "D: the Slurm run's trials differ from the local run's"
import csv, sys
keep = ("trial", "config", "task", "status", "accuracy", "memory_mb", "bops")
local, slurm = ([tuple(r[k] for k in keep) for r in csv.DictReader(open(f))] for f in sys.argv[1:3])
sys.exit(0 if local == slurm and len(local) == 4 else 1)
PY
cmp -s d-local-best.json d-slurm-best.json || fail "D: the exported configurations differ"
echo "D: a LibTorch study run as Slurm jobs measured and exported what the local run did"
