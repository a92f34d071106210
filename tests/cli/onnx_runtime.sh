#!/usr/bin/env bash
# A study's ONNX export of one configuration runs in a real runtime, ONNX Runtime (CPU, from npm:
# installer/install-onnxruntime.sh), and its logits on the first 256 test images equal the
# TorchScript export's when every operator runs as the ONNX specification defines it; with the
# runtime's default optimizations (integer kernels) the top-1 agrees. Without MODEL: the shipped
# network, uniform 8,6,6,4,4,3,3,2,8; with MODEL (an imported TorchScript file, MEAN and STD when
# it expects normalised input): widths cycling 3..8 over its layers.
# Exit 77: skipped (ONNX Runtime, python3-torch or python3-onnx missing; the reason is printed).
# Usage: onnx_runtime.sh CLI NODE_SCRIPT CHECKER [MODEL [MEAN STD]]
set -euo pipefail
cli=$1 logits_script=$2 checker=$3 model=${4:-} mean=${5:-} std=${6:-}
ort_dir=${QUANTSCOPE_ORT_DIR:-$HOME/.cache/quantscope/onnxruntime-node}
data=/usr/share/datasets/fashion-mnist
command -v node > /dev/null || { echo "node not found: skipped"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
echo '{"name": "m", "quantizer": "uniform", "budget_trials": 1}' > "$dir/spec.json"
if [ -z "$model" ]; then
  config=8,6,6,4,4,3,3,2,8
  "$cli" study create --db "$dir/s.db" --name m --spec "$dir/spec.json" > /dev/null
else
  normalisation=()
  [ -z "$mean" ] || normalisation=(--input-mean "$mean" --input-std "$std")
  "$cli" study create --db "$dir/s.db" --name m --spec "$dir/spec.json" --model "$model" "${normalisation[@]}" > /dev/null
  layers=$("$cli" layers --model "$model" --json | grep -c '"name"')
  config=$(for i in $(seq "$layers"); do echo $((3 + i % 6)); done | paste -sd,)
fi
for format in onnx torchscript; do
  "$cli" study export --db "$dir/s.db" --name m --format $format --config "$config" --out "$dir/q.$format" 2> /dev/null
done
for optimization in disabled all; do
  status=0
  node "$logits_script" "$ort_dir" "$dir/q.onnx" 256 "$data" $optimization > "$dir/logits.json" || status=$?
  if [ "$status" -ne 0 ]; then cat "$dir/logits.json"; exit "$status"; fi
  /usr/bin/python3 "$checker" --runtime "$dir/logits.json" "$dir/q.onnx" "$dir/q.torchscript" "$data" $mean $std
done
