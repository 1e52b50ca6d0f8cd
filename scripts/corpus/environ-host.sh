#!/usr/bin/env bash
# Corpus scenario environ-host: Host: /proc/1/environ is read (R0008 is a Kubernetes profile rule; no host alert is expected).
# Regenerates corpus/environ-host/ (capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=environ-host
DESCRIPTION="Host: /proc/1/environ is read (R0008 is a Kubernetes profile rule; no host alert is expected)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

corpus_start
"$HELPER" environ 1
corpus_finish
