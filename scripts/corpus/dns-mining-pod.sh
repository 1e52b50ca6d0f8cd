#!/usr/bin/env bash
# Corpus scenario dns-mining-pod: Kubernetes pod (runc container with CRI annotations, helper bind-mounted, pod corpus/dns-mining-pod): after a second, an A query for pool.supportxmr.com to a responder the pod runs on its own 127.0.0.1:53 (expects R1008).
# Regenerates corpus/dns-mining-pod/ (capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=dns-mining-pod
DESCRIPTION="Kubernetes pod (runc container with CRI annotations, helper bind-mounted, pod corpus/dns-mining-pod): after a second, an A query for pool.supportxmr.com to a responder the pod runs on its own 127.0.0.1:53 (expects R1008)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ID=loupe-corpus-dns-mining
export LOUPE_E2E_DIR="$ROOT/.build/corpus"
corpus_cleanup "$ROOT/scripts/e2e/runc-pod.sh --delete $ID"
corpus_start
"$ROOT/scripts/e2e/runc-pod.sh" --bind "$HELPER:/corpus-attack" "$ID" dns-mining-pod corpus app -- sh -c "sleep 1; /corpus-attack resolver 2 & sleep 0.3; /corpus-attack dns pool.supportxmr.com; wait"
corpus_finish
