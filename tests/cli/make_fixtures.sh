#!/usr/bin/env bash
# Builds the bad-input fixtures the CLI tests use, under $1: a data directory with truncated
# Fashion-MNIST files, a corrupt model file, a tiny CIFAR-10 directory and a model trained on it
# (3x32x32 input, which does not fit Fashion-MNIST).
set -euo pipefail
out=$1
cli=$2
fmnist=${QUANTSCOPE_FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}
rm -rf "$out" && mkdir -p "$out/truncated" "$out/cifar"
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  cp "$fmnist/$f.gz" "$out/truncated/"
done
head -c 100000 "$fmnist/t10k-images-idx3-ubyte.gz" > "$out/truncated/t10k-images-idx3-ubyte.gz"
head -c 5000 /dev/urandom > "$out/corrupt.pt"
# CIFAR-10 batches of 20 all-zero records (label 0, black images): valid files, tiny.
for f in data_batch_1 data_batch_2 data_batch_3 data_batch_4 data_batch_5 test_batch; do
  head -c $((20 * 3073)) /dev/zero > "$out/cifar/$f.bin"
done
"$cli" train --arch resnet20 --dataset cifar10 --data-dir "$out/cifar" --search-size 5 --steps 1 --batch 4 \
  --out "$out/cifar-model.pt" --json > /dev/null
# A study file with one (synthetic) study.
"$cli" study create --db "$out/study.db" --name synthetic --evaluator synthetic --budget-trials 3 > /dev/null
# A real-model study with the default (DSConv) quantizer: formats that need uniform refuse it.
"$cli" study create --db "$out/study.db" --name dsconv --budget-trials 1 > /dev/null
# A study file that would change the synthetic study's strategy (refused on run/step).
echo '{"evaluator": "synthetic", "strategy": "nuq", "budget_trials": 3}' > "$out/changed.json"
# Study files with nonsense values (issue 15): each must be refused at create.
echo '{"evaluator": "synthetic", "synthetic_layers": -1, "budget_trials": 3}' > "$out/negative_layers.json"
echo '{"evaluator": "command", "command": ["true"], "command_timeout": -1, "budget_trials": 3}' > "$out/negative_timeout.json"
# A trials file whose task index claims a million tasks (issue 15, case 1: it crashed gp).
printf 'config,task,accuracy\n"1,2,3,4",0,50\n"1,2,3,4",1000000,60\n' > "$out/huge_task.csv"
# A trials file one row beyond what the exact GP holds (issue 15, case 8).
awk 'BEGIN { print "config,task,accuracy"; for (i = 0; i < 2001; ++i) printf "\"%d,%d,%d,%d\",%d,%.2f\n", 1 + i % 8, 1 + int(i / 8) % 8, 1 + int(i / 64) % 8, 1 + int(i / 512) % 8, i % 2, 50 + (i % 8) + (int(i / 8) % 8) }' > "$out/rows_2001.csv"
# Image folders (docs/data.md): one without class folders, one of 4x4 PGMs with a text file named
# .png among them, and one whose last image is 3x6.
mkdir -p "$out/images/no_classes" "$out/images/bad/a" "$out/images/bad/b" "$out/images/mixed/a" "$out/images/mixed/b"
for i in 0 2 3 4 5; do
  printf 'P5 4 4 255\n%s' "$(head -c 16 /dev/zero | tr '\0' 'x')" > "$out/images/bad/$([ $i -lt 3 ] && echo a || echo b)/$i.pgm"
done
echo "not an image" > "$out/images/bad/b/1.png"
printf 'P5 4 4 255\n%s' "$(head -c 16 /dev/zero | tr '\0' 'x')" > "$out/images/mixed/a/0.pgm"
printf 'P5 4 4 255\n%s' "$(head -c 16 /dev/zero | tr '\0' 'y')" > "$out/images/mixed/a/1.pgm"
printf 'P5 6 3 255\n%s' "$(head -c 18 /dev/zero | tr '\0' 'z')" > "$out/images/mixed/b/2.pgm"
