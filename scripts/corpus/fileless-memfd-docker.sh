#!/usr/bin/env bash
# Corpus scenario fileless-memfd-docker: Docker container (busybox:local, helper bind-mounted): the helper copies itself into a memfd and executes it with fexecve (expects R1005).
# Regenerates corpus/fileless-memfd-docker/ (capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=fileless-memfd-docker
DESCRIPTION="Docker container (busybox:local, helper bind-mounted): the helper copies itself into a memfd and executes it with fexecve (expects R1005)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

corpus_docker
NAME=loupe-corpus-memfd
docker rm -f "$NAME" >/dev/null 2>&1 || true
corpus_cleanup "docker rm -f $NAME"
corpus_start
docker run --rm --name "$NAME" --network none -v "$HELPER:/corpus-attack:ro" busybox:local /corpus-attack memfd
corpus_finish
