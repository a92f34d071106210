"""Splits a recording of evaluations (docs/data/*_evaluations.csv) for the gp benchmarks: the rows
shuffled by SEED, the first ROWS written to DIR/train.csv (config, task, steps, accuracy), the rest
to DIR/held.csv (config, task, accuracy) and their configurations, each once in order of first
appearance, to DIR/held_configs.txt; every task's fine-tuning steps, in task order, to
DIR/task_steps (gp's --task-steps).
Usage: python3 split_recording.py RECORDING.csv ROWS SEED DIR"""
import csv
import random
import sys

recording, n, seed, folder = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
rows = list(csv.DictReader(open(recording)))
random.Random(seed).shuffle(rows)
with open(folder + "/train.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["config", "task", "steps", "accuracy"])
    for r in rows[:n]:
        w.writerow([r["config"], r["task"], r["steps"], r["accuracy"]])
with open(folder + "/held.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["config", "task", "accuracy"])
    for r in rows[n:]:
        w.writerow([r["config"], r["task"], r["accuracy"]])
with open(folder + "/held_configs.txt", "w") as f:
    f.write("".join(c + "\n" for c in dict.fromkeys(r["config"] for r in rows[n:])))
steps = sorted({(int(r["task"]), r["steps"]) for r in rows})
open(folder + "/task_steps", "w").write(",".join(s for _, s in steps))
