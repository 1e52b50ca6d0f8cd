#!/usr/bin/env bash
# Corpus scenario sa-token-pod: Kubernetes pod (deployment corpus/web, a token directory bind-mounted at the service-account path in both runs) judged against the profile of a normal run: the anomalous run also reads the service-account token with cat (expects R0006, and R0040 for cat's new arguments).
# Regenerates corpus/sa-token-pod/ (learn, profiles, capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=sa-token-pod
DESCRIPTION="Kubernetes pod (deployment corpus/web, a token directory bind-mounted at the service-account path in both runs) judged against the profile of a normal run: the anomalous run also reads the service-account token with cat (expects R0006, and R0040 for cat's new arguments)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
TOKEN="$ROOT/.build/corpus/serviceaccount"
mkdir -p "$TOKEN"
echo "corpus-fake-token" >"$TOKEN/token"
POD=(--bind "$TOKEN:/var/run/secrets/kubernetes.io/serviceaccount")
corpus_web_learn "$WEB_NORMAL" "${POD[@]}"
corpus_start
corpus_web_pod attack "$WEB_NORMAL
cat /var/run/secrets/kubernetes.io/serviceaccount/token >/dev/null" "${POD[@]}"
corpus_finish
