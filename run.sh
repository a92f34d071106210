#!/usr/bin/env bash
# Installs what is missing, builds, and starts Quantscope on the shipped default model and data:
# the desktop workbench when a display is available, otherwise the command line's main job
# (the layer inventory and a quantized evaluation of the default model).
# `./run.sh cli ARGS...` runs quantscope-cli with ARGS instead.
set -euo pipefail
cd "$(dirname "$0")"
./installer/install-deps.sh
./installer/build.sh
if [ "${1:-}" = "cli" ]; then
  shift
  exec ./build/app/quantscope-cli "$@"
fi
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] || [ -n "${QT_QPA_PLATFORM:-}" ]; then
  exec ./build/app/quantscope "$@"
fi
echo "No display: running the command-line job on the default model."
./build/app/quantscope-cli layers
./build/app/quantscope-cli eval --bits 8,6,6,4,4,3,3,2,8 --finetune-steps 100
