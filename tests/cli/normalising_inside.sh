#!/usr/bin/env bash
# A network that normalises inside `forward` (scripted and traced) reads the image through
# elementwise ops: its first layer is still recognised as reading the image, so `--bits 8/2,...`
# leaves the image at 8 bits, and it scores what the same weights score with the normalisation
# given outside (--input-mean/--input-std), within 0.1 points.
# Usage: normalising_inside.sh CLI MODELS_DIR
set -euo pipefail
cli=$1 models=$2
bits=8/2,8,8,8,8,8,8
accuracy() { "$cli" eval "$@" --bits $bits --limit 1000 --json | grep '"accuracy"' | tr -dc '0-9.'; }
outside=$(accuracy --model "$models/residual.pt" --input-mean 0.2860 --input-std 0.3530)
for made in scripted traced; do
  model="$models/normalising_$made.pt"
  "$cli" layers --model "$model" --json | tr -d ' \n' | grep -q '"name":"net.conv1",[^}]*"takes_image":true' \
    || { echo "$made: the first layer does not read the image"; exit 1; }
  inside=$(accuracy --model "$model")
  awk -v a="$inside" -v b="$outside" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= 0.1) }' \
    || { echo "$made: $inside % inside, $outside % with the normalisation outside"; exit 1; }
  echo "$made: $inside % (normalisation outside: $outside %)"
done
