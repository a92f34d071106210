#!/usr/bin/env bash
# Renders the README's pictures from the real workbench window on Qt's offscreen platform at its
# default layout: the default study (shipped model, Fashion-MNIST) runs a short budget with two
# workers and computes its sensitivity, then the window and each panel are saved as PNG (about
# ten minutes on 2 cores).
# Usage: installer/screenshots.sh [BUILD_DIR] [OUT_DIR]
set -euo pipefail
build=${1:-build}
out=${2:-docs/images}
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
# A private HOME: the tour must not read or change the user's saved layout and last study.
HOME="$home" XDG_RUNTIME_DIR="$home" QT_QPA_PLATFORM=offscreen "$build/app/quantscope" --screenshots "$out"
