#!/usr/bin/env bash
# Regenerates every corpus scenario, one after another (each capture records the whole machine,
# so they must not overlap). Must run as root. Stops at the first scenario that fails.
set -euo pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
for script in "$DIR"/*.sh; do
	case "$(basename "$script")" in all.sh | lib.sh) continue ;; esac
	echo "== $(basename "$script" .sh)"
	"$script"
done
