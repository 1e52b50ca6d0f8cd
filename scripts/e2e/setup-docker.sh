#!/usr/bin/env bash
# Prepares this machine's Docker engine for Loupe's end-to-end tests. Installs nothing: it
# expects Debian's docker.io (dockerd, containerd, runc) and busybox-static to be installed.
#
#  - starts dockerd (--iptables=false --bridge=none: this VM has no bridge netfilter) unless
#    an engine already answers; its log goes to $LOUPE_E2E_DIR/dockerd.log;
#  - imports busybox:local, an image built offline from /bin/busybox (busybox-static) with
#    applet links, /etc/passwd, /etc/group and a dummy /etc/shadow, unless it exists
#    (LOUPE_E2E_REIMPORT=1 forces a new import).
#
# Containers then run with --network none (or --network host). Must run as root.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${LOUPE_E2E_DIR:-$ROOT/.build/e2e}"
mkdir -p "$OUT"
DOCKER="${DOCKER:-docker}"

if [[ $(id -u) != 0 ]]; then
	echo "setup-docker.sh: must run as root" >&2
	exit 1
fi
for tool in dockerd containerd runc; do
	command -v "$tool" >/dev/null || { echo "setup-docker.sh: $tool not found (apt-get install docker.io)" >&2; exit 1; }
done
BUSYBOX="$(command -v busybox || true)"
if [[ -z "$BUSYBOX" ]] || ! file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked'; then
	[[ -x /bin/busybox ]] && BUSYBOX=/bin/busybox
fi
[[ -n "$BUSYBOX" ]] || { echo "setup-docker.sh: busybox not found (apt-get install busybox-static)" >&2; exit 1; }

if ! "$DOCKER" info >/dev/null 2>&1; then
	echo "starting dockerd (log: $OUT/dockerd.log)"
	nohup dockerd --iptables=false --bridge=none >"$OUT/dockerd.log" 2>&1 &
	echo $! >"$OUT/dockerd.pid"
	for _ in $(seq 1 60); do
		"$DOCKER" info >/dev/null 2>&1 && break
		sleep 0.5
	done
	"$DOCKER" info >/dev/null 2>&1 || { echo "setup-docker.sh: dockerd did not come up; see $OUT/dockerd.log" >&2; tail -20 "$OUT/dockerd.log" >&2; exit 1; }
fi

if [[ "${LOUPE_E2E_REIMPORT:-0}" == 1 ]] || ! "$DOCKER" image inspect busybox:local >/dev/null 2>&1; then
	ROOTFS="$(mktemp -d)"
	trap 'rm -rf "$ROOTFS"' EXIT
	"$ROOT/scripts/e2e/make-rootfs.sh" "$ROOTFS"
	tar -C "$ROOTFS" -c . | "$DOCKER" import - busybox:local >/dev/null
	echo "imported busybox:local"
fi
echo "docker ready: $("$DOCKER" version --format '{{.Server.Version}}' 2>/dev/null || echo '?')"
