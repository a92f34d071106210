#!/usr/bin/env bash
# Builds Quantscope's Debian package: installs what is missing, builds, and runs CPack in ./build.
# Prints the path of the .deb. Usage: installer/package.sh
set -euo pipefail
cd "$(dirname "$0")/.."
./installer/install-deps.sh
./installer/build.sh
(cd build && cpack -G DEB > /dev/null)
ls build/quantscope_*_*.deb
