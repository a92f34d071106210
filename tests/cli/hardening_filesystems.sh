#!/usr/bin/env bash
# Hardening (issue 15, case 6), on real file systems: a study on a read-only mount (or in a
# read-only directory) is read by the commands that only read and refused by the ones that write,
# saying why; `study create` on a full disk says the disk is full and leaves no file behind.
# Needs small tmpfs mounts (root with CAP_SYS_ADMIN); exit 77 (skipped) where mounting is not allowed.
# Usage: hardening_filesystems.sh CLI
set -euo pipefail
cli=$1
dir=$(mktemp -d)
mounts=()
cleanup() {
  for m in "${mounts[@]}"; do umount "$m" 2> /dev/null || true; done
  rm -rf "$dir"
}
trap cleanup EXIT
mkdir "$dir/ro" "$dir/full"
if ! mount -t tmpfs -o size=16m tmpfs "$dir/ro" 2> /dev/null; then
  echo "cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN): skipped"
  exit 77
fi
mounts+=("$dir/ro")
fail() { echo "FAIL: $*"; exit 1; }

"$cli" study create --db "$dir/ro/s.db" --name a --evaluator synthetic --budget-trials 3 > /dev/null
"$cli" study run --db "$dir/ro/s.db" --name a > /dev/null
mount -o remount,ro "$dir/ro" 2> /dev/null || { echo "cannot remount a tmpfs read-only here: skipped"; exit 77; }
status=$("$cli" study status --db "$dir/ro/s.db" --name a) || fail "status on a read-only mount: $status"
grep -q "3 done" <<< "$status" || fail "status on a read-only mount: $status"
"$cli" study pareto --db "$dir/ro/s.db" --name a > /dev/null || fail "pareto on a read-only mount"
if message=$("$cli" study run --db "$dir/ro/s.db" --name a --budget-trials 5 2>&1); then fail "run on a read-only mount succeeded"; fi
grep -q "is in a read-only directory or file system" <<< "$message" || fail "run on a read-only mount: $message"
echo "read-only mount: status and pareto read it; run says: ${message#*error: }"

mount -t tmpfs -o size=64k tmpfs "$dir/full" 2> /dev/null || { echo "cannot mount a second tmpfs here: skipped"; exit 77; }
mounts+=("$dir/full")
if message=$("$cli" study create --db "$dir/full/s.db" --name a --evaluator synthetic 2>&1); then
  fail "create on a full disk succeeded"
fi
grep -q "the disk holding it is full" <<< "$message" || fail "create on a full disk: $message"
[ -z "$(ls -A "$dir/full")" ] || fail "create on a full disk left $(ls "$dir/full")"
echo "full disk: create says: ${message#*error: }; nothing left behind"
