#!/usr/bin/env bash
# Corpus scenario environ-pod: Kubernetes pod (runc container with CRI annotations, pod corpus/environ-pod): cat /proc/1/environ (R0008 needs a learned profile; without one no alert is expected).
# Regenerates corpus/environ-pod/ (capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=environ-pod
DESCRIPTION="Kubernetes pod (runc container with CRI annotations, pod corpus/environ-pod): cat /proc/1/environ (R0008 needs a learned profile; without one no alert is expected)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ID=loupe-corpus-environ
export LOUPE_E2E_DIR="$ROOT/.build/corpus"
corpus_cleanup "$ROOT/scripts/e2e/runc-pod.sh --delete $ID"
corpus_start
"$ROOT/scripts/e2e/runc-pod.sh" "$ID" environ-pod corpus app -- sh -c "cat /proc/1/environ >/dev/null"
corpus_finish
