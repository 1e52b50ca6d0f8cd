#!/bin/sh
# Builds the CEL parser fuzz target with libFuzzer and runs it.
#
#   fuzz/cel/run.sh [SECONDS]     (default 60)
#
# fuzz/cel/corpus holds the committed seed inputs; the working corpus grows in
# $OUT/corpus (default .build-fuzz/corpus). Crashing inputs land in fuzz/cel/artifacts: copy
# one into fuzz/cel/crashers/ (one input per file) so the unit tests replay it forever.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
seconds=${1:-60}
out=${OUT:-"$root/.build-fuzz"}
mkdir -p "$out/modules" "$out/corpus" "$here/artifacts"

cat > "$out/modules/module.modulemap" <<MAP
module CRE2 {
    header "$root/Sources/CRE2/include/cre2shim.h"
    export *
}
MAP

clang++ -std=c++17 -O1 -g -fsanitize=fuzzer-no-link,address -I "$root/Sources/CRE2/include" \
    -c "$root/Sources/CRE2/cre2shim.cpp" -o "$out/cre2shim.o"

# shellcheck disable=SC2046
swiftc -O -g -sanitize=fuzzer,address -parse-as-library -module-name LoupeCEL \
    -enable-upcoming-feature ExistentialAny -enable-upcoming-feature InternalImportsByDefault \
    -I "$out/modules" \
    $(find "$root/Sources/LoupeCEL" -name '*.swift') "$here/FuzzParser.swift" \
    "$out/cre2shim.o" -lre2 -lstdc++ -o "$out/cel-fuzz"


# Leak checking is off: process-wide caches (regexes, time zones) live until exit by design.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} "$out/cel-fuzz" -max_total_time="$seconds" -max_len=4096 -timeout=10 -detect_leaks=0 \
    -artifact_prefix="$here/artifacts/" "$out/corpus" "$here/corpus" "$here/crashers"
