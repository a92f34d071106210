#!/usr/bin/env bash
# Usage: sanitized.sh COMMAND [ARGS...]
# Runs a test command whose programs are built with AddressSanitizer and UndefinedBehaviorSanitizer,
# and fails when any process it started (workers and evaluators included) wrote a sanitizer report,
# even where the test itself expects a failing exit status and so cannot tell a report from an error.
set -u
reports=$(mktemp -d)
trap 'rm -rf "$reports"' EXIT
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$reports/asan"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$reports/ubsan"
"$@"
status=$?
if compgen -G "$reports/*" > /dev/null; then
  echo "sanitizer report(s) from: $*"
  cat "$reports"/*
  exit 1
fi
exit $status
