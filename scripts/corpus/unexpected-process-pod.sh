#!/usr/bin/env bash
# Corpus scenario unexpected-process-pod: Kubernetes pod (deployment corpus/web, helper bind-mounted in both runs) judged against the profile of a normal run: the anomalous run also executes the helper, a program the profile never saw (expects R0001).
# Regenerates corpus/unexpected-process-pod/ (learn, profiles, capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=unexpected-process-pod
DESCRIPTION="Kubernetes pod (deployment corpus/web, helper bind-mounted in both runs) judged against the profile of a normal run: the anomalous run also executes the helper, a program the profile never saw (expects R0001)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
POD=(--bind "$HELPER:/corpus-attack")
corpus_web_learn "$WEB_NORMAL" "${POD[@]}"
corpus_start
corpus_web_pod attack "$WEB_NORMAL
/corpus-attack sleep 0" "${POD[@]}"
corpus_finish
