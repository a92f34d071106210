#!/usr/bin/env bash
# The house style: every tracked C++ file is as clang-format (.clang-format) writes it.
# Exit 77 (skipped) without clang-format or outside a git checkout.
# Usage: style_check.sh SOURCE_DIR
set -euo pipefail
cd "$1"
command -v clang-format > /dev/null || { echo "clang-format not installed: skipped"; exit 77; }
files=$(git ls-files '*.cpp' '*.h' 2> /dev/null) || { echo "not a git checkout: skipped"; exit 77; }
if ! clang-format --style=file --dry-run --Werror $files 2> /tmp/style_check.$$; then
  grep -E "^[^ ].*(error|warning):" /tmp/style_check.$$ | sed 's/: error: code should be clang-formatted.*//' | sort -u | head -20
  rm -f /tmp/style_check.$$
  echo "FAIL: files above differ from clang-format's output; run: clang-format -i \$(git ls-files '*.cpp' '*.h')"
  exit 1
fi
rm -f /tmp/style_check.$$
echo "$(echo "$files" | wc -l) files formatted as .clang-format says"
