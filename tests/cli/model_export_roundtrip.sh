#!/usr/bin/env bash
# A configuration exported as a model file (torchscript or onnx) scores, in Debian's Python tools,
# what `quantscope-cli eval` reports on the same images, within 0.1 points. Exit 77: skipped
# (the checker's Python package is missing).
# Usage: model_export_roundtrip.sh CLI CHECKER QUANTIZER FORMAT [CONFIG]
set -euo pipefail
cli=$1 checker=$2 quantizer=$3 format=$4
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
config=${5:-8,6,6,4,4,3,3,2,8}
images=1000
echo "{\"name\": \"m\", \"quantizer\": \"$quantizer\", \"budget_trials\": 1}" > "$dir/spec.json"
"$cli" study create --db "$dir/s.db" --name m --spec "$dir/spec.json" > /dev/null
"$cli" study export --db "$dir/s.db" --name m --format "$format" --config "$config" --out "$dir/model" 2> /dev/null
accuracy=$("$cli" eval --bits "$config" --quantizer "$quantizer" --search-size 0 --split holdout --limit $images --json \
  | grep '"accuracy"' | tr -dc '0-9.')
/usr/bin/python3 "$checker" "$dir/model" "$accuracy" $images
