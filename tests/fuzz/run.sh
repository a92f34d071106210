#!/usr/bin/env bash
# Builds the libFuzzer harnesses with Debian's clang (in build-fuzz/) and runs each for SECONDS on
# a scratch copy of its seed corpus (tests/fuzz/corpus/<name>; new inputs found are not kept).
# Fails on any finding (crash, sanitizer report, leak, timeout, memory over 2 GB) and prints the
# reproducer's path. Exit 77 (skipped) when clang++ is missing.
# Usage: tests/fuzz/run.sh SECONDS [NAME...]   (default: every harness)
set -euo pipefail
seconds=${1:-10}
shift || true
root=$(cd "$(dirname "$0")/../.." && pwd)
command -v clang++ > /dev/null || { echo "clang++ not installed: skipped"; exit 77; }
build=$root/build-fuzz
# As installer/build.sh: paths relative to the checkout, so that clones in other folders reuse the cache.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root}
export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-true}
mkdir -p "$build"
log=$build/build.log
CXX=clang++ cmake -S "$root/tests/fuzz" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo > "$log" 2>&1 \
  || { cat "$log"; exit 1; }
cmake --build "$build" -j 2 > "$log" 2>&1 || { cat "$log"; exit 1; }
names=("$@")
[ ${#names[@]} -gt 0 ] || names=($(ls "$root/tests/fuzz/corpus"))
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for name in "${names[@]}"; do
  mkdir -p "$work/$name" "$work/$name-artifacts"
  cp "$root/tests/fuzz/corpus/$name/"* "$work/$name/"
  if ! (cd "$work" && "$build/fuzz_$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$work/$name-artifacts/" "$work/$name" > "$work/$name.log" 2>&1); then
    tail -40 "$work/$name.log"
    mkdir -p "$root/build-fuzz/findings"
    cp "$work/$name-artifacts/"* "$root/build-fuzz/findings/" 2> /dev/null || true
    echo "FAIL: fuzz_$name found a problem; reproducer(s) in build-fuzz/findings/"
    exit 1
  fi
  echo "fuzz_$name: $(grep -Eo 'Done [0-9]+ runs in [0-9]+ second' "$work/$name.log" | tail -1), no finding"
done
