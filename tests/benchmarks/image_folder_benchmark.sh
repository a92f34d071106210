#!/usr/bin/env bash
# Reading image folders (docs/benchmarks.md): Quantscope's streaming reader beside torchvision's
# ImageFolder + DataLoader on the same folder of JPEGs (500x375 and 375x500, quality 90, saved by
# PIL), Resize(256) and CenterCrop(224) then ToTensor and Normalize, batches of 64, with 1 and 2
# workers, in one run; then the peak memory while streaming the folder with a decoded-image cache
# of 100 MB, a fraction of the folder's decoded size.
# Usage: tests/benchmarks/image_folder_benchmark.sh [IMAGES] [PASSES]   (after installer/build.sh)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
images=${1:-1000} passes=${2:-3}
reader=$root/build/tests/benchmarks/image_folder_throughput
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
/usr/bin/python3 - "$dir" "$images" <<'PY'
import os, sys
import numpy as np
from PIL import Image
root, count = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(0)
for i in range(count):
    folder = f"{root}/class{i % 10}"
    os.makedirs(folder, exist_ok=True)
    width, height = (500, 375) if i % 3 else (375, 500)
    smooth = Image.fromarray((rng.random((height // 8, width // 8, 3)) * 255).astype(np.uint8)).resize((width, height), Image.BICUBIC)
    pixels = np.clip(np.asarray(smooth).astype(float) + rng.normal(0, 12, (height, width, 3)), 0, 255).astype(np.uint8)
    Image.fromarray(pixels).save(f"{folder}/{i:06d}.jpg", quality=90)
PY
find "$dir" -type f -exec cat {} + > /dev/null # both read from the page cache
value() { /usr/bin/python3 -c "import json, sys; print(json.loads(sys.argv[1])['$1'])" "$2"; }
echo "$images JPEGs ($(du -sh "$dir" | cut -f1)), Resize(256), CenterCrop(224), ToTensor, Normalize, batch 64, best of $passes passes"
echo
echo "| workers | Quantscope images/s | torchvision images/s | ratio |"
echo "|---:|---:|---:|---:|"
for workers in 1 2; do
  ours=$("$reader" "$dir" 256 224 "$workers" 0 "$passes")
  theirs=$(/usr/bin/python3 "$root/tests/benchmarks/torchvision_throughput.py" "$dir" 256 224 "$workers" "$passes")
  a=$(value images_per_second "$ours") b=$(value images_per_second "$theirs")
  echo "| $workers | $a | $b | $(/usr/bin/python3 -c "print(f'{$a / $b:.2f}x')") |"
done
echo
memory=$("$reader" "$dir" 256 224 2 100 1)
decoded=$(/usr/bin/python3 -c "print(round($images * 500 * 375 * 3 / 2**20))")
echo "streaming with a 100 MB decoded-image cache ($decoded MB of decoded images): peak resident memory" \
  "$(value peak_rss_mb "$memory") MB ($(value rss_before_mb "$memory") MB before reading; limit: cache + 300 = 400 MB)"
