#!/usr/bin/env bash
# Builds the static end-to-end action helper: scripts/e2e/actions.c -> .build/e2e/loupe-actions
# (static so the same file runs on the host and inside busybox containers). Needs cc and
# libc6-dev (libc.a). Prints the path it built.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${LOUPE_E2E_DIR:-$ROOT/.build/e2e}"
mkdir -p "$OUT"
"${CC:-cc}" -static -O2 -Wall -Wextra -Werror -Wno-unused-result \
	"$ROOT/scripts/e2e/actions.c" -o "$OUT/loupe-actions.tmp"
mv "$OUT/loupe-actions.tmp" "$OUT/loupe-actions"
echo "$OUT/loupe-actions"
