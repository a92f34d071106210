#!/usr/bin/env bash
# A configuration exported as TorchScript loads in Debian's python3-torch and scores what
# `quantscope-cli eval` reports on the same images, within 0.1 points. Exit 77: skipped (no PyTorch).
# Usage: torchscript_roundtrip.sh CLI CHECKER QUANTIZER
set -euo pipefail
cli=$1 checker=$2 quantizer=$3
/usr/bin/python3 -c "import torch" 2> /dev/null || { echo "python3-torch not installed: skipped"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
config=8,6,6,4,4,3,3,2,8
images=1000
echo "{\"name\": \"ts\", \"quantizer\": \"$quantizer\", \"budget_trials\": 1}" > "$dir/spec.json"
"$cli" study create --db "$dir/s.db" --name ts --spec "$dir/spec.json" > /dev/null
"$cli" study export --db "$dir/s.db" --name ts --format torchscript --config "$config" --out "$dir/model.pt" 2> /dev/null
accuracy=$("$cli" eval --bits "$config" --quantizer "$quantizer" --search-size 0 --split holdout --limit $images --json \
  | grep '"accuracy"' | tr -dc '0-9.')
/usr/bin/python3 "$checker" "$dir/model.pt" "$accuracy" $images
