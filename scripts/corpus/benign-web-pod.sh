#!/usr/bin/env bash
# Corpus scenario benign-web-pod: Kubernetes pod (deployment corpus/web) judged against the profile learned from one normal run: a second, separate normal run of the same pod (expects no alert).
# Regenerates corpus/benign-web-pod/ (learn, profiles, capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=benign-web-pod
DESCRIPTION="Kubernetes pod (deployment corpus/web) judged against the profile learned from one normal run: a second, separate normal run of the same pod (expects no alert)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
CORPUS_EVENTS+=",syscall,capabilities"

corpus_web_learn "$WEB_NORMAL"
corpus_start
corpus_web_pod attack "$WEB_NORMAL"
corpus_finish
