#!/usr/bin/env bash
# Builds the .deb with CPack from the build folder, checks its declared dependencies and file list
# (dpkg-deb), unpacks it to a temporary root, and runs the packaged quantscope-cli from there:
# --version and one step of the default study on the packaged model.
# Usage: package_test.sh BUILD_DIR VERSION
set -euo pipefail
build=$1 version=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$build" && cpack -G DEB -B "$work/out" > "$work/cpack.log") || { cat "$work/cpack.log"; exit 1; }
deb=$(ls "$work"/out/quantscope_*.deb)
echo "package: $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB)"
fail() { echo "FAIL: $*"; exit 1; }

depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for needed in libqt6widgets6 libqcustomplot2.1-qt6 libtorch libsqlite3 dataset-fashion-mnist libopenblas0 libonnx1; do
  grep -q "$needed" <<< "$depends" || fail "no dependency on $needed"
done
[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] || fail "version is not $version"

files=$(dpkg-deb -c "$deb" | awk '{print $6}')
for path in ./usr/bin/quantscope ./usr/bin/quantscope-cli \
            ./usr/share/quantscope/models/vgg11s-fashion-mnist.pt \
            ./usr/share/applications/io.github.quantscope.Quantscope.desktop \
            ./usr/share/metainfo/io.github.quantscope.Quantscope.metainfo.xml \
            ./usr/share/icons/hicolor/scalable/apps/io.github.quantscope.Quantscope.svg \
            ./usr/share/man/man1/quantscope-cli.1.gz; do
  grep -qx "$path" <<< "$files" || fail "missing $path"
done
# Nothing bundled: no shared libraries inside.
! grep -q '\.so' <<< "$files" || fail "the package bundles shared libraries"

root=$work/root
dpkg-deb -x "$deb" "$root"
"$root/usr/bin/quantscope-cli" --version | grep -q "quantscope-cli $version" || fail "--version"
# The packaged binary finds the packaged model (not the source tree's) and runs one search step.
cd "$work"
model=$("$root/usr/bin/quantscope-cli" layers --json | grep -c '"name"')
[ "$model" -eq 9 ] || fail "the packaged default model has $model layers"
"$root/usr/bin/quantscope-cli" study step --db "$work/s.db" --limit 500 > "$work/step.txt"
grep -q "^trial 1 " "$work/step.txt" || { cat "$work/step.txt"; fail "the one-step study did not run"; }
zcat "$root/usr/share/man/man1/quantscope-cli.1.gz" | grep -q "study" || fail "the man page lacks the commands"
echo "ok: dependencies, files, --version and a one-step study from the unpacked package"
