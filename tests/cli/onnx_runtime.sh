#!/usr/bin/env bash
# The shipped model's ONNX export of one configuration runs in a real runtime, ONNX Runtime (CPU,
# from npm: installer/install-onnxruntime.sh), and its logits and top-1 on the first 256 test
# images equal the TorchScript export's. Exit 77: skipped (ONNX Runtime, python3-torch or
# python3-onnx missing; the reason is printed).
# Usage: onnx_runtime.sh CLI NODE_SCRIPT CHECKER
set -euo pipefail
cli=$1 logits_script=$2 checker=$3
ort_dir=${QUANTSCOPE_ORT_DIR:-$HOME/.cache/quantscope/onnxruntime-node}
command -v node > /dev/null || { echo "node not found: skipped"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
config=8,6,6,4,4,3,3,2,8
echo '{"name": "m", "quantizer": "uniform", "budget_trials": 1}' > "$dir/spec.json"
"$cli" study create --db "$dir/s.db" --name m --spec "$dir/spec.json" > /dev/null
for format in onnx torchscript; do
  "$cli" study export --db "$dir/s.db" --name m --format $format --config "$config" --out "$dir/q.$format" 2> /dev/null
done
status=0
node "$logits_script" "$ort_dir" "$dir/q.onnx" 256 > "$dir/logits.json" || status=$?
if [ "$status" -ne 0 ]; then cat "$dir/logits.json"; exit "$status"; fi
/usr/bin/python3 "$checker" --runtime "$dir/logits.json" "$dir/q.onnx" "$dir/q.torchscript"
