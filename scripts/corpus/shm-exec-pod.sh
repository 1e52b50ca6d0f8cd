#!/usr/bin/env bash
# Corpus scenario shm-exec-pod: Kubernetes pod (runc container with CRI annotations, pod corpus/shm-exec-pod): busybox, staged in a host directory bind-mounted over the pod's /dev/shm (runc-pod.sh mounts the pod's own /dev/shm noexec, as Kubernetes does), executed from /dev/shm after a second (expects R1000).
# Regenerates corpus/shm-exec-pod/ (capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=shm-exec-pod
DESCRIPTION="Kubernetes pod (runc container with CRI annotations, pod corpus/shm-exec-pod): busybox, staged in a host directory bind-mounted over the pod's /dev/shm (runc-pod.sh mounts the pod's own /dev/shm noexec, as Kubernetes does), executed from /dev/shm after a second (expects R1000)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ID=loupe-corpus-shm-exec
export LOUPE_E2E_DIR="$ROOT/.build/corpus"
SHM="$ROOT/.build/corpus/shm"
rm -rf "$SHM"
mkdir -p "$SHM"
cp "$(command -v busybox)" "$SHM/busybox"
corpus_cleanup "$ROOT/scripts/e2e/runc-pod.sh --delete $ID"
corpus_start
"$ROOT/scripts/e2e/runc-pod.sh" --bind "$SHM:/dev/shm" "$ID" shm-exec-pod corpus app -- sh -c "sleep 1; /dev/shm/busybox true"
corpus_finish
