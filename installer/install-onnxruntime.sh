#!/usr/bin/env bash
# Installs ONNX Runtime's CPU build for the tests that run exported ONNX files in a real runtime
# (no Debian package has one). It ships inside the npm package onnxruntime-node; its install script
# would fetch GPU extras from a host these machines cannot reach, so it is skipped
# (--ignore-scripts): the CPU library is in the package itself. Without npm, or without the
# registry, the tests that need it say "skipped" with the reason; nothing else depends on it.
# Where: $QUANTSCOPE_ORT_DIR, default ~/.cache/quantscope/onnxruntime-node.
set -uo pipefail
dir=${QUANTSCOPE_ORT_DIR:-$HOME/.cache/quantscope/onnxruntime-node}
version=1.30.0
if [ -f "$dir/node_modules/onnxruntime-node/package.json" ] \
  && grep -q "\"version\": \"$version\"" "$dir/node_modules/onnxruntime-node/package.json"; then
  exit 0
fi
if ! command -v npm > /dev/null; then
  echo "npm not found: the ONNX Runtime checks will be skipped"
  exit 0
fi
echo "Installing onnxruntime-node $version (CPU) into $dir"
mkdir -p "$dir"
if ! timeout 600 npm install --prefix "$dir" --ignore-scripts --no-audit --no-fund --loglevel=error \
  --fetch-retries=1 --fetch-timeout=60000 "onnxruntime-node@$version"; then
  echo "npm could not install onnxruntime-node: the ONNX Runtime checks will be skipped"
fi
exit 0
