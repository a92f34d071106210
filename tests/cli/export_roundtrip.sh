#!/usr/bin/env bash
# A configuration exported as bits-json from a LibTorch study round-trips into `eval --bits-file`:
# same configuration, same memory, same accuracy on the same images.
set -euo pipefail
cli=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
config=8,6,6,4,4,3,3,2,8
"$cli" study create --db "$dir/s.db" --name rt --evaluator torch --limit 200 --budget-trials 1 > /dev/null
"$cli" study export --db "$dir/s.db" --name rt --config "$config" --out "$dir/bits.json" 2> "$dir/warnings.txt"
grep -q "simulated only" "$dir/warnings.txt" || { echo "no runtime warning for 6/3/2-bit layers"; exit 1; }
grep -q "\"config\": \"$config\"" "$dir/bits.json" || { echo "exported config differs"; cat "$dir/bits.json"; exit 1; }
"$cli" eval --bits-file "$dir/bits.json" --limit 200 --json > "$dir/file.json"
"$cli" eval --bits "$config" --limit 200 --json > "$dir/flag.json"
grep -q "\"bits\": \"$config\"" "$dir/file.json" || { echo "eval read another config"; cat "$dir/file.json"; exit 1; }
for key in accuracy memory_mb bops; do
  a=$(grep "\"$key\"" "$dir/file.json"); b=$(grep "\"$key\"" "$dir/flag.json")
  [ "$a" = "$b" ] || { echo "$key differs: $a vs $b"; exit 1; }
done
memory=$(grep '"memory_mb"' "$dir/bits.json" | tr -dc '0-9.')
evalMemory=$(grep '"memory_mb"' "$dir/file.json" | tr -dc '0-9.')
awk -v a="$memory" -v b="$evalMemory" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d < 1e-9) }' \
  || { echo "memory differs: export $memory, eval $evalMemory"; exit 1; }
echo "ok: $config round-trips (memory $memory MB)"
