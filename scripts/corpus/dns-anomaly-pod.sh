#!/usr/bin/env bash
# Corpus scenario dns-anomaly-pod: Kubernetes pod (deployment corpus/web, helper bind-mounted, its own resolver on the pod's 127.0.0.1:53) judged against the profile of a normal run that looks up api.web.internal: the anomalous run also looks up c2.attacker.example (expects R0005, and R0040 for the helper's new arguments).
# Regenerates corpus/dns-anomaly-pod/ (learn, profiles, capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=dns-anomaly-pod
DESCRIPTION="Kubernetes pod (deployment corpus/web, helper bind-mounted, its own resolver on the pod's 127.0.0.1:53) judged against the profile of a normal run that looks up api.web.internal: the anomalous run also looks up c2.attacker.example (expects R0005, and R0040 for the helper's new arguments)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
POD=(--bind "$HELPER:/corpus-attack")
LOOKUPS="$WEB_NORMAL
/corpus-attack resolver 2 &
sleep 0.3
/corpus-attack dns api.web.internal"
corpus_web_learn "$LOOKUPS
wait" "${POD[@]}"
corpus_start
corpus_web_pod attack "$LOOKUPS
/corpus-attack dns c2.attacker.example
wait" "${POD[@]}"
corpus_finish
