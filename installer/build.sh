#!/usr/bin/env bash
# Configures and builds Quantscope in ./build (Release, Ninja, ccache when present, warnings as
# errors), 2 jobs.
# Extra CMake arguments pass through, e.g. -DCMAKE_PREFIX_PATH=/path/to/libtorch for another LibTorch.
set -euo pipefail
cd "$(dirname "$0")/.."
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
# Paths relative to the checkout, so that clones in other folders (CI) reuse the cache.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-true}
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DQUANTSCOPE_WERROR=ON -DQUANTSCOPE_SANITIZER_TESTS=ON "$@" > build-configure.log 2>&1 || { cat build-configure.log; exit 1; }
cmake --build build -j "${QUANTSCOPE_BUILD_JOBS:-2}"
