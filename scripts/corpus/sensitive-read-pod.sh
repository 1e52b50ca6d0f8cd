#!/usr/bin/env bash
# Corpus scenario sensitive-read-pod: Kubernetes pod (runc container with CRI annotations, pod corpus/sensitive-read-pod): after a second, cat /etc/shadow (expects R0010).
# Regenerates corpus/sensitive-read-pod/ (capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=sensitive-read-pod
DESCRIPTION="Kubernetes pod (runc container with CRI annotations, pod corpus/sensitive-read-pod): after a second, cat /etc/shadow (expects R0010)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ID=loupe-corpus-sensitive
export LOUPE_E2E_DIR="$ROOT/.build/corpus"
corpus_cleanup "$ROOT/scripts/e2e/runc-pod.sh --delete $ID"
corpus_start
"$ROOT/scripts/e2e/runc-pod.sh"  "$ID" sensitive-read-pod corpus app -- sh -c "sleep 1; cat /etc/shadow >/dev/null"
corpus_finish
