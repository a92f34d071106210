#!/usr/bin/env bash
# A study on an imported TorchScript residual network (tests/data/torchscript/residual.pt, which
# expects normalised input): sensitivity, a short search, and a TorchScript export that loads back
# in Debian's python3-torch with the accuracy Quantscope reports. Exit 77: python3-torch missing.
# Usage: imported_study.sh CLI CHECKER MODELS_DIR
set -euo pipefail
cli=$1 checker=$2 models=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
norm=(--input-mean 0.2860 --input-std 0.3530)
echo '{"name": "res", "budget_trials": 6, "limit": 500, "tasks": [{"name": "quantize only", "steps": 0, "cost": 1},
  {"name": "20 steps", "steps": 20, "cost": 3}]}' > "$dir/spec.json"
"$cli" study create --db "$dir/s.db" --name res --spec "$dir/spec.json" --model "$models/residual.pt" "${norm[@]}" > /dev/null
"$cli" study sensitivity --db "$dir/s.db" --name res --bits 2,4 --images 200 --samples 2 --json > "$dir/sensitivity.json"
grep -q '"layer2.shortcut.0"' "$dir/sensitivity.json" || { echo "sensitivity misses the shortcut conv"; exit 1; }
"$cli" study run --db "$dir/s.db" --name res > /dev/null
done=$("$cli" study status --db "$dir/s.db" --name res --json | grep -c '"status": "done"')
[ "$done" -eq 6 ] || { echo "expected 6 done trials, got $done"; exit 1; }
config=8,6,6,4,4,3,8
"$cli" study export --db "$dir/s.db" --name res --format torchscript --config "$config" --out "$dir/q.pt" 2> /dev/null
accuracy=$("$cli" eval --model "$models/residual.pt" "${norm[@]}" --bits "$config" --search-size 0 --split holdout \
  --limit 1000 --json | grep '"accuracy"' | tr -dc '0-9.')
/usr/bin/python3 "$checker" "$dir/q.pt" "$accuracy" 1000 /usr/share/datasets/fashion-mnist 0.2860 0.3530
