#!/usr/bin/env bash
# Corpus scenario mining-port-pod: Kubernetes pod (runc container with CRI annotations, helper bind-mounted, pod corpus/mining-port-pod): after a second, a TCP connection to 127.0.0.1:3333, a stratum mining port, in the pod's network namespace (expects R1009).
# Regenerates corpus/mining-port-pod/ (capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=mining-port-pod
DESCRIPTION="Kubernetes pod (runc container with CRI annotations, helper bind-mounted, pod corpus/mining-port-pod): after a second, a TCP connection to 127.0.0.1:3333, a stratum mining port, in the pod's network namespace (expects R1009)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ID=loupe-corpus-mining-port
export LOUPE_E2E_DIR="$ROOT/.build/corpus"
corpus_cleanup "$ROOT/scripts/e2e/runc-pod.sh --delete $ID"
corpus_start
"$ROOT/scripts/e2e/runc-pod.sh" --bind "$HELPER:/corpus-attack" "$ID" mining-port-pod corpus app -- sh -c "sleep 1; /corpus-attack connect 3333"
corpus_finish
