#!/usr/bin/env bash
# Corpus scenario drift-pod: Kubernetes pod (runc container with CRI annotations, pod corpus/drift-pod, overlay root file system as containerd's snapshotter gives one): busybox is copied to /tmp/busybox, a new file in the upper layer, and run from there (expects R1001).
# Regenerates corpus/drift-pod/ (capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=drift-pod
DESCRIPTION="Kubernetes pod (runc container with CRI annotations, pod corpus/drift-pod, overlay root file system as containerd's snapshotter gives one): busybox is copied to /tmp/busybox, a new file in the upper layer, and run from there (expects R1001)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ID=loupe-corpus-drift
export LOUPE_E2E_DIR="$ROOT/.build/corpus"
corpus_cleanup "$ROOT/scripts/e2e/runc-pod.sh --delete $ID"
corpus_start
"$ROOT/scripts/e2e/runc-pod.sh" --overlay "$ID" drift-pod corpus app -- sh -c "sleep 1; cp /bin/busybox /tmp/busybox; /tmp/busybox true"
corpus_finish
