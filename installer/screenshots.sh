#!/usr/bin/env bash
# Renders the README's pictures from the real workbench window on Qt's offscreen platform: a
# synthetic demo study is run to its budget, then the window and each panel are saved as PNG.
# Usage: installer/screenshots.sh [BUILD_DIR] [OUT_DIR]
set -euo pipefail
build=${1:-build}
out=${2:-docs/images}
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
# A private HOME: the tour must not read or change the user's saved layout and last study.
HOME="$home" XDG_RUNTIME_DIR="$home" QT_QPA_PLATFORM=offscreen "$build/app/quantscope" --screenshots "$out"
