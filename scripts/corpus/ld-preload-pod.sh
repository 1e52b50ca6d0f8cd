#!/usr/bin/env bash
# Corpus scenario ld-preload-pod: Kubernetes pod (runc container with CRI annotations, pod corpus/preload-pod): a program is executed with LD_PRELOAD=/tmp/hook.so (expects R1011).
# Regenerates corpus/ld-preload-pod/ (capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=ld-preload-pod
DESCRIPTION="Kubernetes pod (runc container with CRI annotations, pod corpus/preload-pod): a program is executed with LD_PRELOAD=/tmp/hook.so (expects R1011)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ID=loupe-corpus-preload
export LOUPE_E2E_DIR="$ROOT/.build/corpus"
corpus_cleanup "$ROOT/scripts/e2e/runc-pod.sh --delete $ID"
corpus_start
"$ROOT/scripts/e2e/runc-pod.sh" "$ID" preload-pod corpus app -- sh -c "LD_PRELOAD=/tmp/hook.so /bin/true"
corpus_finish
