#!/usr/bin/env bash
# Corpus scenario shadow-links-pod: Kubernetes pod (runc container with CRI annotations, pod corpus/links-pod): a symlink and a hard link to /etc/shadow are created in /tmp (expects R1010, R1012).
# Regenerates corpus/shadow-links-pod/ (capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=shadow-links-pod
DESCRIPTION="Kubernetes pod (runc container with CRI annotations, pod corpus/links-pod): a symlink and a hard link to /etc/shadow are created in /tmp (expects R1010, R1012)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ID=loupe-corpus-links
export LOUPE_E2E_DIR="$ROOT/.build/corpus"
corpus_cleanup "$ROOT/scripts/e2e/runc-pod.sh --delete $ID"
corpus_start
"$ROOT/scripts/e2e/runc-pod.sh" "$ID" links-pod corpus app -- sh -c "ln -s /etc/shadow /tmp/s && ln /etc/shadow /tmp/h"
corpus_finish
