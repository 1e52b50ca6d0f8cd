#!/usr/bin/env bash
# Runs a Kubernetes "pod" container without Kubernetes: a runc bundle whose config.json carries
# containerd's CRI annotations (kubescape facts §8), started as a kubelet-driven containerd
# would start it: `runc run --bundle B --pid-file B/init.pid ID`, in new mount, pid, network,
# ipc and uts namespaces.
#
#   runc-pod.sh [-d] [--overlay] [--bind SRC:DST]... ID POD NAMESPACE CONTAINER -- ARGS...
#   runc-pod.sh --delete ID
#
#  -d             detach (runc run -d; output to BUNDLE/output.log)
#  --overlay      root file system as an overlay (busybox lower layer, empty upper layer), as
#                 containerd's overlayfs snapshotter gives a pod: files written in the
#                 container land in the upper layer
#  --bind S:D     bind-mount host path S read-only at D in the container
#  --delete ID    kill and delete the container and its bundle
#
# Bundles live in $LOUPE_E2E_DIR/pods/ID (default .build/e2e/pods/ID); the root file system is
# busybox (scripts/e2e/make-rootfs.sh). Must run as root; needs runc.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PODS="${LOUPE_E2E_DIR:-$ROOT/.build/e2e}/pods"
DETACH=()
BINDS=()
OVERLAY=0
while [[ $# -gt 0 ]]; do
	case "$1" in
	-d) DETACH=(-d); shift ;;
	--overlay) OVERLAY=1; shift ;;
	--bind) BINDS+=("$2"); shift 2 ;;
	--delete)
		ID="$2"
		runc kill "$ID" KILL 2>/dev/null || true
		for _ in $(seq 1 50); do
			runc state "$ID" 2>/dev/null | grep -q '"status": "stopped"' && break
			runc state "$ID" >/dev/null 2>&1 || break
			sleep 0.1
		done
		runc delete --force "$ID" 2>/dev/null || true
		umount "$PODS/$ID/rootfs" 2>/dev/null || true
		rm -rf "${PODS:?}/$ID"
		exit 0
		;;
	*) break ;;
	esac
done
[[ $# -ge 5 && "$5" == "--" ]] || { echo "usage: runc-pod.sh [-d] [--overlay] [--bind S:D]... ID POD NAMESPACE CONTAINER -- ARGS..." >&2; exit 64; }
ID="$1" POD="$2" NAMESPACE="$3" CONTAINER="$4"
shift 5
BUNDLE="$PODS/$ID"
umount "$BUNDLE/rootfs" 2>/dev/null || true
rm -rf "$BUNDLE"
mkdir -p "$BUNDLE"
if [[ $OVERLAY == 1 ]]; then
	"$ROOT/scripts/e2e/make-rootfs.sh" "$BUNDLE/lower"
	mkdir -p "$BUNDLE/upper" "$BUNDLE/work" "$BUNDLE/rootfs"
	mount -t overlay overlay -o "lowerdir=$BUNDLE/lower,upperdir=$BUNDLE/upper,workdir=$BUNDLE/work" "$BUNDLE/rootfs"
else
	"$ROOT/scripts/e2e/make-rootfs.sh" "$BUNDLE/rootfs"
fi

json_string() { # a JSON string literal of $1 (no control characters expected)
	local s="${1//\\/\\\\}"
	printf '"%s"' "${s//\"/\\\"}"
}
ARGS=""
for arg in "$@"; do ARGS+="${ARGS:+, }$(json_string "$arg")"; done
MOUNTS=""
for bind in "${BINDS[@]+"${BINDS[@]}"}"; do
	src="${bind%%:*}" dst="${bind#*:}"
	touch "$BUNDLE/rootfs$dst" 2>/dev/null || mkdir -p "$BUNDLE/rootfs$dst"
	MOUNTS+=", {\"destination\": $(json_string "$dst"), \"type\": \"bind\", \"source\": $(json_string "$src"), \"options\": [\"rbind\", \"ro\"]}"
done
CAPS='"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"'
SANDBOX_ID="sandbox-$ID"
cat >"$BUNDLE/config.json" <<JSON
{
  "ociVersion": "1.0.2",
  "process": {
    "terminal": false,
    "user": {"uid": 0, "gid": 0},
    "args": [$ARGS],
    "env": ["PATH=/bin", "HOSTNAME=$POD"],
    "cwd": "/",
    "capabilities": {"bounding": [$CAPS], "effective": [$CAPS], "permitted": [$CAPS]},
    "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
    "noNewPrivileges": true
  },
  "root": {"path": "rootfs", "readonly": false},
  "hostname": $(json_string "$POD"),
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
    {"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]},
    {"destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
    {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]}$MOUNTS
  ],
  "annotations": {
    "io.kubernetes.cri.container-type": "container",
    "io.kubernetes.cri.sandbox-name": $(json_string "$POD"),
    "io.kubernetes.cri.sandbox-namespace": $(json_string "$NAMESPACE"),
    "io.kubernetes.cri.sandbox-uid": $(json_string "uid-$POD"),
    "io.kubernetes.cri.container-name": $(json_string "$CONTAINER"),
    "io.kubernetes.cri.sandbox-id": $(json_string "$SANDBOX_ID"),
    "io.kubernetes.cri.image-name": "docker.io/library/busybox:local"
  },
  "linux": {
    "namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}],
    "maskedPaths": ["/proc/kcore", "/proc/keys", "/proc/timer_list", "/sys/firmware"],
    "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
  }
}
JSON
cd "$BUNDLE"
if [[ ${#DETACH[@]} -gt 0 ]]; then
	exec runc run -d --bundle "$BUNDLE" --pid-file "$BUNDLE/init.pid" "$ID" </dev/null >"$BUNDLE/output.log" 2>&1
fi
exec runc run --bundle "$BUNDLE" --pid-file "$BUNDLE/init.pid" "$ID" </dev/null
