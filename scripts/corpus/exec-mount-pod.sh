#!/usr/bin/env bash
# Corpus scenario exec-mount-pod: Kubernetes pod (runc container with CRI annotations, pod corpus/exec-mount-pod): a host directory holding busybox is bind-mounted at /mnt/tools, as a hostPath or emptyDir volume would be, and busybox is run from it after a second (expects R1004).
# Regenerates corpus/exec-mount-pod/ (capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=exec-mount-pod
DESCRIPTION="Kubernetes pod (runc container with CRI annotations, pod corpus/exec-mount-pod): a host directory holding busybox is bind-mounted at /mnt/tools, as a hostPath or emptyDir volume would be, and busybox is run from it after a second (expects R1004)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ID=loupe-corpus-exec-mount
export LOUPE_E2E_DIR="$ROOT/.build/corpus"
TOOLS="$ROOT/.build/corpus/tools"
rm -rf "$TOOLS"
mkdir -p "$TOOLS"
cp "$(command -v busybox)" "$TOOLS/busybox"
corpus_cleanup "$ROOT/scripts/e2e/runc-pod.sh --delete $ID"
corpus_start
"$ROOT/scripts/e2e/runc-pod.sh" --bind "$TOOLS:/mnt/tools" "$ID" exec-mount-pod corpus app -- sh -c "sleep 1; /mnt/tools/busybox true"
corpus_finish
