#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test. The README's test command; CI runs it.
set -euo pipefail
cd "$(dirname "$0")"
./installer/install-deps.sh
./installer/build.sh
cd build
ctest --output-on-failure -j2 --timeout 900
