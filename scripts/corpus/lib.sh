# Shared by the corpus scenario scripts (scripts/corpus/<scenario>.sh); source it, do not run it.
#
# A scenario script sets SCENARIO and DESCRIPTION, sources this file, calls corpus_start, performs
# the scenario for real, then calls corpus_finish. corpus_start starts
# `loupe capture -o corpus/<scenario>/capture` (removing any earlier capture) and waits for its
# first segment; corpus_finish waits for the capture to end, replays it with the built-in rules
# and corpus/<scenario>/loupe.yaml (a copy of examples/loupe.yaml: host and docker monitoring on)
# into expected.jsonl, and writes README.md.
#
# Environment: LOUPE (default .build-corpus/release/loupe, built if missing), CORPUS_DURATION
# (capture length, default 6s), CORPUS_EVENTS (event types). Must run as root.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LOUPE="${LOUPE:-$ROOT/.build-corpus/release/loupe}"
HELPER_DIR="$ROOT/.build/corpus"
HELPER="$HELPER_DIR/corpus-attack"
CORPUS_DURATION="${CORPUS_DURATION:-6s}"
CORPUS_EVENTS="${CORPUS_EVENTS:-exec,exit,fork,open,network,dns,symlink,hardlink,kmod,unshare,ptrace,iouring,bpf}"
OUT="$ROOT/corpus/$SCENARIO"
CAPTURE_PID=""
CLEANUPS=()

[[ $(id -u) == 0 ]] || { echo "$SCENARIO: must run as root" >&2; exit 1; }
if [[ ! -x "$LOUPE" ]]; then
	swift build -c release --product loupe --scratch-path "$ROOT/.build-corpus" >&2
fi
mkdir -p "$HELPER_DIR"
if [[ ! -x "$HELPER" || "$ROOT/scripts/corpus/attack.c" -nt "$HELPER" ]]; then
	"${CC:-cc}" -static -O2 -Wall -Wextra -Werror -Wno-unused-result "$ROOT/scripts/corpus/attack.c" -o "$HELPER.tmp"
	mv "$HELPER.tmp" "$HELPER"
fi

# Registers a cleanup command (run at exit, last registered first).
corpus_cleanup() { CLEANUPS+=("$1"); }
corpus_on_exit() {
	local i
	for ((i = ${#CLEANUPS[@]} - 1; i >= 0; i--)); do eval "${CLEANUPS[$i]}" >/dev/null 2>&1 || true; done
	if [[ -n "$CAPTURE_PID" ]] && kill -0 "$CAPTURE_PID" 2>/dev/null; then kill -TERM "$CAPTURE_PID"; fi
}
trap corpus_on_exit EXIT

# The Docker engine and busybox:local (scripts/e2e/setup-docker.sh).
corpus_docker() { "$ROOT/scripts/e2e/setup-docker.sh" >&2; }

corpus_start() {
	rm -rf "$OUT/capture"
	mkdir -p "$OUT"
	cp "$ROOT/examples/loupe.yaml" "$OUT/loupe.yaml"
	local log="$ROOT/.build/corpus/$SCENARIO.capture.log"
	"$LOUPE" capture -o "$OUT/capture" --duration "$CORPUS_DURATION" -q --events "$CORPUS_EVENTS" \
		--exclude-path /proc/self --exclude-path /proc/thread-self --exclude-path /sys \
		--exclude-path /dev/null --exclude-path /etc/ld.so.cache --exclude-path /lib \
		--exclude-path /usr/lib --exclude-path /var/lib/docker --exclude-path /run/containerd \
		--exclude-path /run/docker "$@" >"$log" 2>&1 &
	CAPTURE_PID=$!
	for _ in $(seq 1 100); do
		compgen -G "$OUT/capture/seg-*.loupe" >/dev/null && break
		kill -0 "$CAPTURE_PID" 2>/dev/null || { cat "$log" >&2; exit 1; }
		sleep 0.1
	done
	sleep 0.5
}

corpus_finish() {
	wait "$CAPTURE_PID"
	CAPTURE_PID=""
	"$LOUPE" replay "$OUT/capture" --config "$OUT/loupe.yaml" --output "$OUT/expected.jsonl" --progress never \
		2>"$ROOT/.build/corpus/$SCENARIO.replay.log"
	if grep -q "unattributed mount namespaces" "$ROOT/.build/corpus/$SCENARIO.replay.log"; then
		# Events of a mount namespace that is neither the host's nor a known container's. A few
		# are normal (docker cp's helper); many mean the capture missed the scenario's container
		# start (seen now and then with runc pods) and the expectations are wrong: run again.
		echo "$SCENARIO: warning: events of unattributed mount namespaces; if the scenario's container is one, run again" >&2
		sed -n '/unattributed mount namespaces/,$p' "$ROOT/.build/corpus/$SCENARIO.replay.log" >&2
	fi
	printf '%s\n' "$DESCRIPTION" >"$OUT/README.md"
	echo "$SCENARIO: $(du -sh "$OUT/capture" | cut -f1) capture, $(wc -l <"$OUT/expected.jsonl") alerts:"
	grep -o '"RuleID":"[^"]*"' "$OUT/expected.jsonl" | sort | uniq -c || true
}
