#!/usr/bin/env bash
# Usage: expect_error.sh REGEX COMMAND [ARGS...]
# Passes when COMMAND exits with a non-zero status that is not a crash (1..125), prints exactly one
# line on stderr, and that line matches REGEX (extended grep).
set -u
pattern=$1
shift
stderr_file=$(mktemp)
trap 'rm -f "$stderr_file"' EXIT
"$@" </dev/null >/dev/null 2>"$stderr_file"
status=$?
lines=$(grep -c '' "$stderr_file")
if [ "$status" -eq 0 ] || [ "$status" -gt 125 ]; then
  echo "expected a clean failure, got exit status $status"; cat "$stderr_file"; exit 1
fi
if [ "$lines" -ne 1 ]; then
  echo "expected one line on stderr, got $lines:"; cat "$stderr_file"; exit 1
fi
if ! grep -Eq -- "$pattern" "$stderr_file"; then
  echo "stderr does not match '$pattern':"; cat "$stderr_file"; exit 1
fi
echo "ok (exit $status): $(cat "$stderr_file")"
