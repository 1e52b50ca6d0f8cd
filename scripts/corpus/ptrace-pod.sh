#!/usr/bin/env bash
# Corpus scenario ptrace-pod: Kubernetes pod (runc container with CRI annotations, helper bind-mounted, pod corpus/ptrace-pod): after a second, PTRACE_ATTACH to a child process (expects R1015).
# Regenerates corpus/ptrace-pod/ (capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=ptrace-pod
DESCRIPTION="Kubernetes pod (runc container with CRI annotations, helper bind-mounted, pod corpus/ptrace-pod): after a second, PTRACE_ATTACH to a child process (expects R1015)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ID=loupe-corpus-ptrace
export LOUPE_E2E_DIR="$ROOT/.build/corpus"
corpus_cleanup "$ROOT/scripts/e2e/runc-pod.sh --delete $ID"
corpus_start
"$ROOT/scripts/e2e/runc-pod.sh" --bind "$HELPER:/corpus-attack" "$ID" ptrace-pod corpus app -- sh -c "sleep 1; /corpus-attack ptrace"
corpus_finish
