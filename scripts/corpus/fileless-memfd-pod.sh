#!/usr/bin/env bash
# Corpus scenario fileless-memfd-pod: Kubernetes pod (runc container with CRI annotations, helper bind-mounted, pod corpus/fileless-memfd-pod): after a second, the helper copies itself into a memfd and executes it with fexecve (expects R1005).
# Regenerates corpus/fileless-memfd-pod/ (capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=fileless-memfd-pod
DESCRIPTION="Kubernetes pod (runc container with CRI annotations, helper bind-mounted, pod corpus/fileless-memfd-pod): after a second, the helper copies itself into a memfd and executes it with fexecve (expects R1005)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ID=loupe-corpus-memfd
export LOUPE_E2E_DIR="$ROOT/.build/corpus"
corpus_cleanup "$ROOT/scripts/e2e/runc-pod.sh --delete $ID"
corpus_start
"$ROOT/scripts/e2e/runc-pod.sh" --bind "$HELPER:/corpus-attack" "$ID" fileless-memfd-pod corpus app -- sh -c "sleep 1; /corpus-attack memfd"
corpus_finish
