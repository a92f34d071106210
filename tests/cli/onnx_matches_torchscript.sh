#!/usr/bin/env bash
# For an architecture with residual additions (resnet20) or concatenations (googlenet-s), briefly
# trained on Fashion-MNIST, the ONNX and TorchScript exports of one configuration compute the same
# logits. Exit 77: skipped (python3-onnx or python3-torch missing).
# Usage: onnx_matches_torchscript.sh CLI CHECKER ARCH
set -euo pipefail
cli=$1 checker=$2 arch=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$cli" train --arch "$arch" --steps 30 --batch 32 --limit 200 --seed 1 --threads 1 --out "$dir/model.pt" > /dev/null
echo "{\"name\": \"m\", \"model\": \"$dir/model.pt\", \"quantizer\": \"uniform\", \"budget_trials\": 1}" > "$dir/spec.json"
"$cli" study create --db "$dir/s.db" --name m --spec "$dir/spec.json" > /dev/null
layers=$("$cli" layers --model "$dir/model.pt" --json | grep -c '"name"')
config=$(for i in $(seq "$layers"); do echo $((2 + i % 7)); done | paste -sd,)
for format in onnx torchscript; do
  "$cli" study export --db "$dir/s.db" --name m --format $format --config "$config" --out "$dir/q.$format" 2> /dev/null
done
/usr/bin/python3 "$checker" --compare "$dir/q.onnx" "$dir/q.torchscript"
