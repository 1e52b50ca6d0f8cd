#!/usr/bin/env bash
# Builds the floor recorder: floor.bpf.c -> floor.bpf.o (clang -target bpf), the skeleton
# (bpftool gen skeleton), and the loader floor-recorder (linked with libbpf).
#   scripts/bench/floor-recorder/build.sh [OUTDIR]     default OUTDIR: this directory's build/
set -euo pipefail
SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${1:-$SRC/build}"
mkdir -p "$OUT"
ARCH=$(uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
clang -g -O2 -target bpf -D__TARGET_ARCH_"$ARCH" -I"$SRC" -c "$SRC/floor.bpf.c" -o "$OUT/floor.bpf.o"
bpftool gen skeleton "$OUT/floor.bpf.o" name floor_bpf >"$OUT/floor.skel.h"
"${CC:-cc}" -O2 -Wall -I"$SRC" -I"$OUT" -o "$OUT/floor-recorder" "$SRC/floor.c" -lbpf -lelf -lz
echo "$OUT/floor-recorder"
