#!/usr/bin/env bash
# Corpus scenario randomx-pod: Kubernetes pod (runc container with CRI annotations, helper bind-mounted, pod corpus/randomx-pod): after a second, the helper switches the SSE rounding mode away from round-to-nearest, as RandomX's CFROUND does, and computes for two seconds; the randomx tracer reports it (expects R1007).
# Regenerates corpus/randomx-pod/ (capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=randomx-pod
DESCRIPTION="Kubernetes pod (runc container with CRI annotations, helper bind-mounted, pod corpus/randomx-pod): after a second, the helper switches the SSE rounding mode away from round-to-nearest, as RandomX's CFROUND does, and computes for two seconds; the randomx tracer reports it (expects R1007)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CORPUS_EVENTS+=",randomx"
ID=loupe-corpus-randomx
export LOUPE_E2E_DIR="$ROOT/.build/corpus"
corpus_cleanup "$ROOT/scripts/e2e/runc-pod.sh --delete $ID"
corpus_start
"$ROOT/scripts/e2e/runc-pod.sh" --bind "$HELPER:/corpus-attack" "$ID" randomx-pod corpus app -- sh -c "sleep 1; /corpus-attack randomx 2"
corpus_finish
