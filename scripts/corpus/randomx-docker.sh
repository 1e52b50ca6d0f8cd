#!/usr/bin/env bash
# Corpus scenario randomx-docker: Docker container (busybox:local, helper bind-mounted): the helper switches the SSE rounding mode away from round-to-nearest, as RandomX's CFROUND does, and computes for two seconds; the randomx tracer reports it (expects R1007).
# Regenerates corpus/randomx-docker/ (capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=randomx-docker
DESCRIPTION="Docker container (busybox:local, helper bind-mounted): the helper switches the SSE rounding mode away from round-to-nearest, as RandomX's CFROUND does, and computes for two seconds; the randomx tracer reports it (expects R1007)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CORPUS_EVENTS+=",randomx"
corpus_docker
NAME=loupe-corpus-randomx
docker rm -f "$NAME" >/dev/null 2>&1 || true
corpus_cleanup "docker rm -f $NAME"
corpus_start
docker run --rm --name "$NAME" --network none -v "$HELPER:/corpus-attack:ro" busybox:local /corpus-attack randomx 2
corpus_finish
