#!/usr/bin/env bash
# Corpus scenario kmod-pod: Kubernetes pod (runc container with CRI annotations, helper bind-mounted, pod corpus/kmod-pod): after a second, finit_module and init_module attempts (R1002).
# Regenerates corpus/kmod-pod/ (capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=kmod-pod
DESCRIPTION="Kubernetes pod (runc container with CRI annotations, helper bind-mounted, pod corpus/kmod-pod): after a second, finit_module and init_module attempts (R1002)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ID=loupe-corpus-kmod
export LOUPE_E2E_DIR="$ROOT/.build/corpus"
corpus_cleanup "$ROOT/scripts/e2e/runc-pod.sh --delete $ID"
corpus_start
"$ROOT/scripts/e2e/runc-pod.sh" --bind "$HELPER:/corpus-attack" "$ID" kmod-pod corpus app -- sh -c "sleep 1; /corpus-attack kmod"
corpus_finish
