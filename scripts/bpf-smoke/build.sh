#!/usr/bin/env bash
# Builds scripts/bpf-smoke/bpf-smoke against the committed skeleton and CLoupeBPF's helpers,
# then (with --run) runs it. Needs root to run. Output: .build/bpf-smoke/bpf-smoke
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="$ROOT/.build/bpf-smoke"
mkdir -p "$OUT"
"${CC:-cc}" -O2 -g -Wall -Wextra -Wno-unused-parameter -Wno-unused-result -Wno-format-truncation -Werror \
	-I"$ROOT/Sources/CLoupeBPF/include" \
	"$ROOT/scripts/bpf-smoke/smoke.c" "$ROOT/Sources/CLoupeBPF/loupe_bpf.c" \
	-o "$OUT/bpf-smoke" -lbpf -lelf -lz
echo "built $OUT/bpf-smoke"
if [[ "${1:-}" == --run ]]; then
	shift
	exec "$OUT/bpf-smoke" "$@"
fi
