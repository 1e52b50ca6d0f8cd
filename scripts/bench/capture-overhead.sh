#!/usr/bin/env bash
# Per-event overhead of `loupe capture` against a floor and a peer, measured in one run.
#
# Workloads: (a) N_OPEN openat()+close() (scripts/e2e/open-loop.c), (b) N_EXEC fork+execve of
# /bin/true+waitpid (scripts/bench/exec-loop.c; one fork, one exec and one exit per iteration).
# Conditions for each: bare; under `loupe capture -o DIR -q` (default event types); under the
# floor (scripts/bench/floor-recorder: libbpf, reserve/fill/submit, raw records to a file);
# under bpftrace printing the same fields to a file (the peer). Conditions are interleaved, the
# order rotating from run to run, RUNS times; the table gives medians. Then the sustained rate:
# 1, 2, 4 ... open loops in parallel under one Loupe capture, with the drops `loupe inspect` reports.
#
#   swift build -c release --product loupe --scratch-path .build-ovh
#   sudo scripts/bench/capture-overhead.sh [LOUPE] [N_OPEN] [N_EXEC] [RUNS] [PARALLEL_LIST]
#   defaults: .build-ovh/release/loupe 1000000 20000 5 "1 2 4"
#
# Needs root, clang, bpftool, libbpf-dev, bpftrace. Prints every run, then the tables.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LOUPE="${1:-$ROOT/.build-ovh/release/loupe}"
N_OPEN="${2:-1000000}"
N_EXEC="${3:-20000}"
RUNS="${4:-5}"
PARALLEL="${5:-1 2 4}"
CONDITIONS=(bare loupe floor bpftrace)

OUT="$(mktemp -d /tmp/capture-overhead.XXXXXX)"
REC_PID=""
cleanup() {
	if [[ -n "$REC_PID" ]] && kill -0 "$REC_PID" 2>/dev/null; then
		kill -INT "$REC_PID" 2>/dev/null || true
		wait "$REC_PID" 2>/dev/null || true
	fi
	rm -rf "$OUT"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[[ -x "$LOUPE" ]] || { echo "no loupe binary at $LOUPE" >&2; exit 1; }
command -v bpftrace >/dev/null || { echo "bpftrace is not installed (apt-get install bpftrace)" >&2; exit 1; }
"${CC:-cc}" -O2 -Wall -o "$OUT/open-loop" "$ROOT/scripts/e2e/open-loop.c"
"${CC:-cc}" -O2 -Wall -o "$OUT/exec-loop" "$ROOT/scripts/bench/exec-loop.c"
FLOOR="$("$ROOT/scripts/bench/floor-recorder/build.sh" "$OUT/floor" | tail -1)"

# The peer: bpftrace printing the fields the floor records (timestamp, pid, tid, ppid, uid, gid,
# mntns, comm, and the path / filename), openat at the syscall tracepoints (enter stashes the
# arguments, exit prints), exec/fork/exit at the sched tracepoints.
cat >"$OUT/peer.bt" <<'EOF'
tracepoint:syscalls:sys_enter_openat { @path[tid] = args->filename; @fl[tid] = args->flags; }
tracepoint:syscalls:sys_exit_openat /@path[tid]/ {
	printf("open %llu %d %d %d %d %d %u %s %d %d %s\n", nsecs, pid, tid, curtask->real_parent->tgid,
	       uid, gid, curtask->nsproxy->mnt_ns->ns.inum, comm, args->ret, @fl[tid], str(@path[tid]));
	delete(@path[tid]); delete(@fl[tid]);
}
tracepoint:sched:sched_process_exec {
	printf("exec %llu %d %d %d %d %d %u %s %s\n", nsecs, pid, tid, curtask->real_parent->tgid,
	       uid, gid, curtask->nsproxy->mnt_ns->ns.inum, comm, str(args->filename));
}
tracepoint:sched:sched_process_fork {
	printf("fork %llu %d %d %d %d %d %u %s %d\n", nsecs, pid, tid, curtask->real_parent->tgid,
	       uid, gid, curtask->nsproxy->mnt_ns->ns.inum, comm, args->child_pid);
}
tracepoint:sched:sched_process_exit {
	printf("exit %llu %d %d %d %d %d %u %s\n", nsecs, pid, tid, curtask->real_parent->tgid,
	       uid, gid, curtask->nsproxy->mnt_ns->ns.inum, comm);
}
EOF

wait_for() { # $1: seconds; rest: test command
	local t=$1; shift
	for _ in $(seq 1 $((t * 10))); do "$@" && return 0; sleep 0.1; done
	return 1
}
cpu_seconds() { # user+system seconds of pid $1
	awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' "/proc/$1/stat" 2>/dev/null || echo 0
}

# start_rec COND DEST: starts the recorder writing to DEST; sets REC_PID.
start_rec() {
	case "$1" in
	bare) REC_PID="" ;;
	loupe)
		"$LOUPE" capture -o "$2" -q 2>"$2.log" &
		REC_PID=$!
		wait_for 60 test -e "$2/seg-00000001.loupe" || { echo "loupe did not start: $(cat "$2.log")" >&2; exit 1; }
		;;
	floor)
		"$FLOOR" "$2" >"$2.log" 2>&1 &
		REC_PID=$!
		wait_for 60 grep -q ready "$2.log" || { echo "floor did not start: $(cat "$2.log")" >&2; exit 1; }
		;;
	bpftrace)
		bpftrace -o "$2" "$OUT/peer.bt" >"$2.log" 2>&1 &
		REC_PID=$!
		wait_for 120 grep -qs Attaching "$2" "$2.log" || { echo "bpftrace did not start: $(cat "$2.log")" >&2; exit 1; }
		;;
	esac
	[[ -z "$REC_PID" ]] || sleep 1 # let the reader settle
	REC_CPU0=0
	[[ -z "$REC_PID" ]] || REC_CPU0=$(cpu_seconds "$REC_PID")
}

# stop_rec COND DEST: stops it; sets REC_EVENTS REC_DROPS REC_BYTES, and REC_CPU: the
# recorder's user+system CPU seconds while the workload ran (start-up excluded).
stop_rec() {
	REC_EVENTS=0 REC_DROPS=0 REC_BYTES=0 REC_CPU=0
	[[ -n "$REC_PID" ]] || return 0
	REC_CPU=$(awk -v a="$(cpu_seconds "$REC_PID")" -v b="$REC_CPU0" 'BEGIN {printf "%.2f", a - b}')
	kill -INT "$REC_PID"
	wait "$REC_PID" || true
	REC_PID=""
	case "$1" in
	loupe)
		REC_EVENTS=$(sed -nE 's/.*\(([0-9]+) events, ([0-9]+) lost\).*/\1/p' "$2.log" | tail -1)
		REC_EVENTS=${REC_EVENTS:-0}
		REC_DROPS=$("$LOUPE" inspect "$2" 2>/dev/null | sed -nE 's/^Drops: *([0-9]+) events lost.*/\1/p')
		REC_DROPS=${REC_DROPS:-0}
		REC_BYTES=$(cat "$2"/* | wc -c)
		;;
	floor)
		read -r REC_EVENTS REC_DROPS < <(sed -nE 's/^floor: ([0-9]+) events, ([0-9]+) dropped.*/\1 \2/p' "$2.log") || true
		REC_BYTES=$(stat -c %s "$2")
		;;
	bpftrace)
		REC_EVENTS=$(grep -cE '^(open|exec|fork|exit) ' "$2" || true)
		REC_DROPS=$( (grep -hoiE 'lost [0-9]+ events' "$2" "$2.log" || true) | awk '{s += $2} END {print s + 0}')
		REC_BYTES=$(stat -c %s "$2")
		;;
	esac
	rm -rf "$2" "$2.log"
}

seconds() { sed -nE 's/.* in ([0-9.]+) s.*/\1/p'; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) CPUs; kernel $(uname -r)"
echo "loupe: $LOUPE; N_OPEN=$N_OPEN N_EXEC=$N_EXEC RUNS=$RUNS"
"$OUT/open-loop" 100000 >/dev/null # warm-up
"$OUT/exec-loop" 500 >/dev/null

RESULTS="$OUT/results" # workload cond run seconds events drops bytes cpu
: >"$RESULTS"
for run in $(seq 1 "$RUNS"); do
	for workload in open exec; do
		for i in 0 1 2 3; do
			cond=${CONDITIONS[$(((i + run - 1) % 4))]}
			dest="$OUT/$cond-$workload-$run"
			start_rec "$cond" "$dest"
			# The loop's own CPU (user + system, children included): the in-kernel cost of the
			# BPF programs is charged to it, the recorder's user-space work is not.
			if [[ $workload == open ]]; then
				s=$(/usr/bin/time -f '%U %S' -o "$OUT/time" "$OUT/open-loop" "$N_OPEN" | seconds)
			else
				s=$(/usr/bin/time -f '%U %S' -o "$OUT/time" "$OUT/exec-loop" "$N_EXEC" | seconds)
			fi
			loopcpu=$(awk 'END {printf "%.2f", $1 + $2}' "$OUT/time")
			stop_rec "$cond" "$dest"
			echo "$workload $cond $run $s $REC_EVENTS $REC_DROPS $REC_BYTES $REC_CPU $loopcpu" >>"$RESULTS"
			printf 'run %d %-4s %-8s %7.3f s  loop cpu %6s s  events %9s  drops %6s  bytes %11s  recorder cpu %5s s  load %s\n' \
				"$run" "$workload" "$cond" "$s" "$loopcpu" "$REC_EVENTS" "$REC_DROPS" "$REC_BYTES" "$REC_CPU" \
				"$(cut -d' ' -f1 /proc/loadavg)"
		done
	done
done

echo
echo "Medians over $RUNS runs. Added = (median under recorder - median bare) / iterations."
echo "open: 1 event per iteration (openat). exec: fork, exec, exit and the child's 2 openat (ld.so.cache,"
echo "libc) = 5 records per iteration for the floor and bpftrace; Loupe also records 2 capabilities."
printf '%-5s %-9s %9s %10s %10s %7s %8s %11s %9s %6s %8s %9s\n' \
	workload condition "median s" "us/iter" "added us" ratio "vs floor" "loop cpu us" "added cpu" drops bytes/ev "rec cpu s"
for workload in open exec; do
	n=$N_OPEN; [[ $workload == exec ]] && n=$N_EXEC
	declare -A med=() lcpu=()
	for cond in "${CONDITIONS[@]}"; do
		med[$cond]=$(median $(awk -v w="$workload" -v c="$cond" '$1 == w && $2 == c {print $4}' "$RESULTS"))
		lcpu[$cond]=$(median $(awk -v w="$workload" -v c="$cond" '$1 == w && $2 == c {print $9}' "$RESULTS"))
	done
	for cond in "${CONDITIONS[@]}"; do
		read -r drops bpe cpu < <(awk -v w="$workload" -v c="$cond" '$1 == w && $2 == c {
			d += $6; e += $5; b += $7; u[NR] = $8; k++ } END {
			printf "%d %s %s\n", d, (e > 0 ? sprintf("%.1f", b / e) : "-"), (k ? u[NR] : 0) }' "$RESULTS")
		cpu=$(median $(awk -v w="$workload" -v c="$cond" '$1 == w && $2 == c {print $8}' "$RESULTS"))
		awk -v w="$workload" -v c="$cond" -v n="$n" -v t="${med[$cond]}" -v b="${med[bare]}" \
			-v f="${med[floor]}" -v d="$drops" -v bpe="$bpe" -v cpu="$cpu" \
			-v lc="${lcpu[$cond]}" -v lb="${lcpu[bare]}" 'BEGIN {
			vf = (c == "bare") ? "-" : ((f - b) > 0 ? sprintf("%.2fx", (t - b) / (f - b)) : "-")
			printf "%-5s %-9s %9.3f %10.3f %10.3f %6.2fx %8s %11.3f %9.3f %6d %8s %9s\n",
				w, c, t, t * 1e6 / n, (t - b) * 1e6 / n, t / b, vf, lc * 1e6 / n, (lc - lb) * 1e6 / n,
				d, (c == "bare" ? "-" : bpe), (c == "bare" ? "-" : cpu)
		}'
	done
	unset med lcpu
done
echo "'vs floor' = Loupe's (or bpftrace's) added wall cost / the floor's added wall cost."
echo "loop cpu us = the loop's own user+system CPU per iteration (the in-kernel BPF cost lands here);"
echo "added cpu = that minus bare's. rec cpu s = the recorder process's CPU during the loop (median)."
echo "bytes/ev = all bytes written / all events recorded (every process of the node is recorded)."

echo
echo "Sustained rate: K open loops of $N_OPEN in parallel under one Loupe capture (default ring)."
printf '%-3s %10s %12s %14s %8s\n' K seconds events "events/s" drops
for k in $PARALLEL; do
	dest="$OUT/rate-$k"
	start_rec loupe "$dest"
	begin=$(date +%s.%N)
	pids=()
	for _ in $(seq 1 "$k"); do "$OUT/open-loop" "$N_OPEN" >/dev/null & pids+=($!); done
	wait "${pids[@]}"
	end=$(date +%s.%N)
	stop_rec loupe "$dest"
	awk -v k="$k" -v e="$REC_EVENTS" -v d="$REC_DROPS" -v b="$begin" -v f="$end" 'BEGIN {
		printf "%-3d %10.2f %12d %14.0f %8d\n", k, f - b, e, e / (f - b), d }'
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
