#!/usr/bin/env bash
# Corpus scenario unshare-pod: Kubernetes pod (runc container with CRI annotations, helper bind-mounted, pod corpus/unshare-pod): unshare(CLONE_NEWUTS|CLONE_NEWNS) (R1006).
# Regenerates corpus/unshare-pod/ (capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=unshare-pod
DESCRIPTION="Kubernetes pod (runc container with CRI annotations, helper bind-mounted, pod corpus/unshare-pod): unshare(CLONE_NEWUTS|CLONE_NEWNS) (R1006)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ID=loupe-corpus-unshare
export LOUPE_E2E_DIR="$ROOT/.build/corpus"
corpus_cleanup "$ROOT/scripts/e2e/runc-pod.sh --delete $ID"
corpus_start
"$ROOT/scripts/e2e/runc-pod.sh" --bind "$HELPER:/corpus-attack" "$ID" unshare-pod corpus app -- /corpus-attack unshare
corpus_finish
