#!/usr/bin/env bash
# Corpus scenario sa-token-pod: Kubernetes pod (runc container with CRI annotations, pod corpus/token-pod, a token directory bind-mounted at the service-account path): cat /var/run/secrets/kubernetes.io/serviceaccount/token (R0006 needs a learned profile; without one no alert is expected).
# Regenerates corpus/sa-token-pod/ (capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=sa-token-pod
DESCRIPTION="Kubernetes pod (runc container with CRI annotations, pod corpus/token-pod, a token directory bind-mounted at the service-account path): cat /var/run/secrets/kubernetes.io/serviceaccount/token (R0006 needs a learned profile; without one no alert is expected)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ID=loupe-corpus-token
export LOUPE_E2E_DIR="$ROOT/.build/corpus"
TOKEN="$ROOT/.build/corpus/serviceaccount"
mkdir -p "$TOKEN"
echo "corpus-fake-token" >"$TOKEN/token"
corpus_cleanup "$ROOT/scripts/e2e/runc-pod.sh --delete $ID"
corpus_start
"$ROOT/scripts/e2e/runc-pod.sh" --bind "$TOKEN:/var/run/secrets/kubernetes.io/serviceaccount" "$ID" token-pod corpus app -- \
	sh -c "cat /var/run/secrets/kubernetes.io/serviceaccount/token >/dev/null"
corpus_finish
