#!/usr/bin/env bash
# Corpus scenario iouring-pod: Kubernetes pod (deployment corpus/web, helper bind-mounted in both runs) judged against the profile of a normal run in which the helper only starts and exits: in the anomalous run it sets up an io_uring ring (expects R1030, and R0040 for the helper's new arguments).
# Regenerates corpus/iouring-pod/ (learn, profiles, capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=iouring-pod
DESCRIPTION="Kubernetes pod (deployment corpus/web, helper bind-mounted in both runs) judged against the profile of a normal run in which the helper only starts and exits: in the anomalous run it sets up an io_uring ring (expects R1030, and R0040 for the helper's new arguments)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
POD=(--bind "$HELPER:/corpus-attack")
corpus_web_learn "$WEB_NORMAL
/corpus-attack sleep 0" "${POD[@]}"
corpus_start
corpus_web_pod attack "$WEB_NORMAL
/corpus-attack iouring" "${POD[@]}"
corpus_finish
