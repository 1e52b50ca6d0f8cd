#!/usr/bin/env bash
# Corpus scenario bpf-pod: Kubernetes pod (runc container with CRI annotations, no seccomp profile, helper bind-mounted, pod corpus/bpf-pod): after a second, bpf(BPF_PROG_LOAD) of a socket filter, refused for lack of CAP_BPF but attempted (expects R0009).
# Regenerates corpus/bpf-pod/ (capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=bpf-pod
DESCRIPTION="Kubernetes pod (runc container with CRI annotations, no seccomp profile, helper bind-mounted, pod corpus/bpf-pod): after a second, bpf(BPF_PROG_LOAD) of a socket filter, refused for lack of CAP_BPF but attempted (expects R0009)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ID=loupe-corpus-bpf
export LOUPE_E2E_DIR="$ROOT/.build/corpus"
corpus_cleanup "$ROOT/scripts/e2e/runc-pod.sh --delete $ID"
corpus_start
"$ROOT/scripts/e2e/runc-pod.sh" --bind "$HELPER:/corpus-attack" "$ID" bpf-pod corpus app -- sh -c "sleep 1; /corpus-attack bpf"
corpus_finish
