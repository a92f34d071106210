#!/usr/bin/env bash
# How `quantscope-cli gp` scales with the rows of a trials file (issue 15, case 8): wall time and
# peak memory for synthetic trials files of 250..2,000 rows (9 layers, 4 tasks, a smooth accuracy
# surface plus noise, generated with a fixed seed), predicting every configuration on every task,
# averaged over the default 8 hyperparameter samples and with the MAP fit alone (--samples 0); and
# the refusal above 2,000 rows. Writes CSV to stdout.
# Usage: gp_rows.sh CLI
set -euo pipefail
cli=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
make_trials() { # rows, file
  awk -v n="$1" 'BEGIN {
    srand(1); print "config,task,accuracy"
    for (i = 0; i < n; ++i) {
      config = ""; penalty = 0
      for (l = 0; l < 9; ++l) { b = 1 + int(rand() * 8); config = config (l ? "," : "") b; penalty += exp(-b) }
      task = int(rand() * 4)
      noise = sqrt(-2 * log(rand() + 1e-12)) * cos(6.283185 * rand()) * 0.3
      printf "\"%s\",%d,%.3f\n", config, task, 92 - 30 * penalty / 9 + 0.3 * task + noise
    }
  }' > "$2"
}
echo "rows,samples,seconds,peak_mb"
for rows in 250 500 1000 2000; do
  make_trials "$rows" "$dir/t.csv"
  for samples in 8 0; do
    /usr/bin/time -f "$rows,$samples,%e,%M" -o "$dir/time" "$cli" gp --trials "$dir/t.csv" --samples "$samples" --json > /dev/null
    awk -F, '{ printf "%s,%s,%s,%.0f\n", $1, $2, $3, $4 / 1024 }' "$dir/time"
  done
done
make_trials 2001 "$dir/t.csv"
if "$cli" gp --trials "$dir/t.csv" > /dev/null 2> "$dir/err"; then echo "FAIL: 2,001 rows were accepted" >&2; exit 1; fi
echo "# 2001 rows: $(cat "$dir/err")" >&2
