#!/usr/bin/env bash
# Measures what `loupe capture` costs the traced workload: a loop of N open()+close() run bare
# and under a capture (default event types), RUNS times each, alternating; then the sustained
# rate with one loop per CPU under capture, and the drops. Use a release build:
#
#   swift build -c release --product loupe
#   scripts/e2e/bench-capture.sh [LOUPE_BINARY] [N] [RUNS]
#
# Prints one line per run and a summary (min and median, added cost per event, ratio).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LOUPE="${1:-$ROOT/.build/release/loupe}"
N="${2:-1000000}"
RUNS="${3:-3}"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
"${CC:-cc}" -O2 -Wall -o "$OUT/open-loop" "$ROOT/scripts/e2e/open-loop.c"

start_capture() { # $1: directory; sets CAPTURE_PID
	"$LOUPE" capture -o "$1" -q 2>"$1.log" &
	CAPTURE_PID=$!
	for _ in $(seq 1 300); do
		[[ -e "$1/seg-00000001.loupe" ]] && { sleep 0.5; return; }
		sleep 0.1
	done
	echo "capture did not start: $(cat "$1.log")" >&2
	exit 1
}
stop_capture() {
	kill -INT "$CAPTURE_PID"
	wait "$CAPTURE_PID"
}
seconds() { sed -E 's/.* in ([0-9.]+) s.*/\1/'; }

bare=() traced=()
"$OUT/open-loop" 100000 >/dev/null # warm-up
for run in $(seq 1 "$RUNS"); do
	b=$("$OUT/open-loop" "$N" | seconds)
	start_capture "$OUT/cap$run"
	t=$("$OUT/open-loop" "$N" | seconds)
	stop_capture
	bare+=("$b") traced+=("$t")
	echo "run $run: bare $b s, under capture $t s; $(tail -1 "$OUT/cap$run.log")"
	rm -rf "$OUT/cap$run"
done

summary() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {printf "%s %s", a[1], a[int((NR+1)/2)]}'; }
read -r bmin bmed <<<"$(summary "${bare[@]}")"
read -r tmin tmed <<<"$(summary "${traced[@]}")"
awk -v n="$N" -v bmin="$bmin" -v bmed="$bmed" -v tmin="$tmin" -v tmed="$tmed" 'BEGIN {
	printf "open loop, %d opens: bare min %.3f s median %.3f s; under capture min %.3f s median %.3f s\n", n, bmin, bmed, tmin, tmed
	printf "added per event (median): %.2f us; ratio (median) %.2fx, (min) %.2fx\n", (tmed - bmed) * 1e6 / n, tmed / bmed, tmin / bmin
}'

# Sustained rate: one loop per CPU, all under one capture.
CPUS=$(nproc)
start_capture "$OUT/rate"
begin=$(date +%s.%N)
for _ in $(seq 1 "$CPUS"); do "$OUT/open-loop" "$N" >/dev/null & done
wait $(jobs -p | grep -v "^$CAPTURE_PID\$") 2>/dev/null || true
end=$(date +%s.%N)
stop_capture
summary_line=$(tail -1 "$OUT/rate.log")
events=$(echo "$summary_line" | sed -E 's/.*\(([0-9]+) events, ([0-9]+) lost\).*/\1/')
lost=$(echo "$summary_line" | sed -E 's/.*\(([0-9]+) events, ([0-9]+) lost\).*/\2/')
awk -v e="$events" -v l="$lost" -v b="$begin" -v f="$end" -v c="$CPUS" 'BEGIN {
	printf "sustained: %d loops in parallel, %d events in %.2f s = %.0f events/s written, %d lost\n", c, e, f - b, e / (f - b), l
}'
echo "capture summary: $summary_line"
