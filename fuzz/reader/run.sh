#!/bin/sh
# Builds the segment-reader fuzz target with libFuzzer and runs it.
#
#   fuzz/reader/run.sh [SECONDS]     (default 60)
#
# fuzz/reader/corpus holds committed seed segments; crashing inputs land in
# fuzz/reader/artifacts: copy one into fuzz/reader/crashers/ and the unit tests
# (CrasherReplayTests) read it forever.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
seconds=${1:-60}
out=${OUT:-"$root/.build-fuzz-reader"}
mkdir -p "$out/modules" "$out/corpus" "$here/artifacts"
flags="-O -g -sanitize=fuzzer,address -parse-as-library
    -enable-upcoming-feature ExistentialAny -enable-upcoming-feature InternalImportsByDefault"

# shellcheck disable=SC2086
swiftc $flags -module-name LoupeModel -emit-module -emit-module-path "$out/modules/LoupeModel.swiftmodule" \
    -c $(find "$root/Sources/LoupeModel" -name '*.swift') -wmo -o "$out/LoupeModel.o"
# shellcheck disable=SC2086
swiftc $flags -module-name LoupeFormat -I "$out/modules" -I "$root/Sources/CZstd" \
    -emit-module -emit-module-path "$out/modules/LoupeFormat.swiftmodule" \
    -c $(find "$root/Sources/LoupeFormat" -name '*.swift') -wmo -o "$out/LoupeFormat.o"
swiftc -O -g -sanitize=fuzzer,address -parse-as-library -I "$out/modules" -I "$root/Sources/CZstd" \
    "$here/FuzzSegmentReader.swift" "$out/LoupeModel.o" "$out/LoupeFormat.o" -lzstd -o "$out/reader-fuzz"

"$out/reader-fuzz" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
    -artifact_prefix="$here/artifacts/" "$out/corpus" "$here/corpus" "$here/crashers"
