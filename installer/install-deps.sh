#!/usr/bin/env bash
# Installs Quantscope's build, run and test dependencies from Debian's packages.
# Idempotent: installs only what is missing, so ./run.sh and ./test.sh may call it every time.
# python3-torch and python3-onnx are test clients: exported TorchScript and ONNX models are checked
# in Debian's PyTorch and onnx.checker; python3-torchvision and python3-pil are the reference image
# folders' decoding and transforms are checked against. libturbojpeg0-dev, libspng-dev, libwebp-dev and
# libstb-dev decode image folders (docs/data.md). dpkg-dev, help2man, desktop-file-utils and appstream build
# and check the Debian package (installer/package.sh). clang and its runtime build the libFuzzer
# harnesses (tests/fuzz); clang-format checks the house style. slurmctld, slurmd, slurm-client and munge
# make the one-node cluster the Slurm executor is tested on (tests/slurm/one_node_cluster.sh).
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config
  qt6-base-dev libqcustomplot-dev libqcustomplot2.1-qt6
  libtorch-dev libopenblas0-pthread
  libeigen3-dev libblas-dev liblapack-dev liblbfgspp-dev libsqlite3-dev zlib1g-dev libzip-dev
  nlohmann-json3-dev libcli11-dev libonnx-dev libprotobuf-dev
  libturbojpeg0-dev libspng-dev libwebp-dev libstb-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  dataset-fashion-mnist
  python3-torch python3-onnx python3-torchvision python3-pil
  dpkg-dev help2man desktop-file-utils appstream
  clang libclang-rt-14-dev clang-format
  slurmctld slurmd slurm-client munge
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  "$(dirname "$0")/install-onnxruntime.sh"
  exit 0
fi

echo "Installing missing Debian packages: ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
"$(dirname "$0")/install-onnxruntime.sh"
