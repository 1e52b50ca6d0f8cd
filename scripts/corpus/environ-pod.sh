#!/usr/bin/env bash
# Corpus scenario environ-pod: Kubernetes pod (runc container with CRI annotations, deployment corpus/web) judged against the profile learned from a normal run of the same pod: the anomalous run also reads /proc/1/environ with cat (expects R0008, and R0040 for cat's new arguments).
# Regenerates corpus/environ-pod/ (learn, profiles, capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=environ-pod
DESCRIPTION="Kubernetes pod (runc container with CRI annotations, deployment corpus/web) judged against the profile learned from a normal run of the same pod: the anomalous run also reads /proc/1/environ with cat (expects R0008, and R0040 for cat's new arguments)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
corpus_web_learn "$WEB_NORMAL"
corpus_start
corpus_web_pod attack "$WEB_NORMAL
cat /proc/1/environ >/dev/null"
corpus_finish
