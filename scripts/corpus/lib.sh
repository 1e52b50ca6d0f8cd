# Shared by the corpus scenario scripts (scripts/corpus/<scenario>.sh); source it, do not run it.
#
# A scenario script sets SCENARIO and DESCRIPTION, sources this file, calls corpus_start, performs
# the scenario for real, then calls corpus_finish. corpus_start starts
# `loupe capture -o corpus/<scenario>/capture` (removing any earlier capture) and waits for its
# first segment; corpus_finish waits for the capture to end, replays it with the built-in rules
# and corpus/<scenario>/loupe.yaml (a copy of examples/loupe.yaml: host and docker monitoring on)
# into expected.jsonl, and writes README.md.
#
# A scenario judged against a learned profile first records the normal run: corpus_learn_start
# captures into corpus/<scenario>/learn, the script performs the normal run, and
# corpus_learn_finish OPTIONS... learns the profile with `loupe profile learn learn/ OPTIONS...`
# into corpus/<scenario>/profiles/learned.yaml. Then comes the anomalous run, between corpus_start
# and corpus_finish as above; the replay uses the profiles, and `loupe corpus verify` checks that
# the normal run raises no alert against them. corpus_web_pod runs the pod these scenarios use.
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
if [[ ! -x "$HELPER" || "$ROOT/scripts/corpus/attack.c" -nt "$HELPER" || "$ROOT/scripts/e2e/attempts.h" -nt "$HELPER" ]]; then
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

# Starts `loupe capture -o DIR` (removing what DIR held) and waits for its first segment.
corpus_capture() {
	local dir="$1"
	shift
	rm -rf "$dir"
	mkdir -p "$OUT"
	local log="$ROOT/.build/corpus/$SCENARIO.$(basename "$dir").log"
	"$LOUPE" capture -o "$dir" --duration "$CORPUS_DURATION" -q --events "$CORPUS_EVENTS" \
		--exclude-path /proc/self --exclude-path /proc/thread-self --exclude-path /sys \
		--exclude-path /dev/null --exclude-path /etc/ld.so.cache --exclude-path /lib \
		--exclude-path /usr/lib --exclude-path /var/lib/docker --exclude-path /run/containerd \
		--exclude-path /run/docker "$@" >"$log" 2>&1 &
	CAPTURE_PID=$!
	for _ in $(seq 1 100); do
		compgen -G "$dir/seg-*.loupe" >/dev/null && break
		kill -0 "$CAPTURE_PID" 2>/dev/null || { cat "$log" >&2; exit 1; }
		sleep 0.1
	done
	sleep 0.5
}

corpus_start() {
	mkdir -p "$OUT"
	cp "$ROOT/examples/loupe.yaml" "$OUT/loupe.yaml"
	corpus_capture "$OUT/capture" "$@"
}

# The normal run of a profile scenario: its capture goes to learn/, and the old profiles go.
corpus_learn_start() {
	rm -rf "$OUT/profiles"
	corpus_capture "$OUT/learn" "$@"
}

# Learns the profile from the normal run: the arguments choose the container
# (`loupe profile learn --help`).
corpus_learn_finish() {
	wait "$CAPTURE_PID"
	CAPTURE_PID=""
	mkdir -p "$OUT/profiles"
	"$LOUPE" profile learn "$OUT/learn" "$@" -o "$OUT/profiles/learned.yaml" >&2
}

# The normal run of the web pod and its profile: the pod runs SCRIPT ($1); the other arguments are
# the pod's runc-pod.sh options (the anomalous run uses the same).
corpus_web_learn() {
	local script="$1"
	shift
	corpus_learn_start
	corpus_web_pod learn "$script" "$@"
	corpus_learn_finish --namespace "$WEB_NAMESPACE" --pod "$WEB_LEARN_POD" --container "$WEB_CONTAINER"
}

# The profile scenarios' pod: deployment web in namespace corpus, container app, running
# `sh /opt/web/run.sh` to its end (the script's directory is bind-mounted at /opt/web; it sleeps a
# second, then runs the given script). $1 is
# learn (the normal run, pod web-5d8f7c9b6d-lrn24) or attack (the anomalous run, pod
# web-5d8f7c9b6d-x7k9p), $2 the script; more runc-pod.sh options (-d,
# --bind S:D) may follow. The pod's command line is the same in both runs: only what the script
# does differs.
WEB_NAMESPACE=corpus
WEB_CONTAINER=app
WEB_LEARN_POD=web-5d8f7c9b6d-lrn24
# What the web pod does in every run: read its configuration, list a directory.
WEB_NORMAL='cat /etc/passwd >/dev/null
ls / >/dev/null'
corpus_web_pod() {
	local role="$1" script="$2"
	shift 2
	local pod=$WEB_LEARN_POD
	[[ "$role" == attack ]] && pod=web-5d8f7c9b6d-x7k9p
	WEB_POD_ID="loupe-corpus-$SCENARIO-$role"
	local app="$ROOT/.build/corpus/app/$SCENARIO-$role"
	mkdir -p "$app"
	# A second first: a container gone within the runtime watcher's rescan interval can be missed.
	printf 'sleep 1\n%s\n' "$script" >"$app/run.sh"
	corpus_cleanup "$ROOT/scripts/e2e/runc-pod.sh --delete $WEB_POD_ID"
	LOUPE_E2E_DIR="$ROOT/.build/corpus" "$ROOT/scripts/e2e/runc-pod.sh" --bind "$app:/opt/web" "$@" \
		"$WEB_POD_ID" "$pod" "$WEB_NAMESPACE" "$WEB_CONTAINER" -- sh /opt/web/run.sh
}

corpus_finish() {
	wait "$CAPTURE_PID"
	CAPTURE_PID=""
	local profiles=()
	[[ -d "$OUT/profiles" ]] && profiles=(--profiles "$OUT/profiles")
	"$LOUPE" replay "$OUT/capture" --config "$OUT/loupe.yaml" "${profiles[@]+"${profiles[@]}"}" \
		--output "$OUT/expected.jsonl" --progress never 2>"$ROOT/.build/corpus/$SCENARIO.replay.log"
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
	if [[ -d "$OUT/learn" ]]; then
		# The normal run must be silent against its own profile.
		"$LOUPE" corpus verify "$ROOT/corpus" --scenario "$SCENARIO" || true
	fi
}
