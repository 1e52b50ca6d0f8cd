#!/usr/bin/env bash
# Corpus scenario randomx-host: Host: the helper switches the SSE rounding mode away from round-to-nearest, as RandomX's CFROUND does, and computes for two seconds; the randomx tracer reports it (expects R1007).
# Regenerates corpus/randomx-host/ (capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=randomx-host
DESCRIPTION="Host: the helper switches the SSE rounding mode away from round-to-nearest, as RandomX's CFROUND does, and computes for two seconds; the randomx tracer reports it (expects R1007)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CORPUS_EVENTS+=",randomx"
corpus_start
"$HELPER" randomx 2
corpus_finish
