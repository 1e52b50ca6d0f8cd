#!/usr/bin/env bash
# Corpus scenario sensitive-read-docker: Docker container (busybox:local): /etc/shadow is read with cat (R0010, sensitive file access).
# Regenerates corpus/sensitive-read-docker/ (capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=sensitive-read-docker
DESCRIPTION="Docker container (busybox:local): /etc/shadow is read with cat (R0010, sensitive file access)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

corpus_docker
NAME=loupe-corpus-sensitive
docker rm -f "$NAME" >/dev/null 2>&1 || true
corpus_cleanup "docker rm -f $NAME"
corpus_start
docker run --rm --name "$NAME" --network none busybox:local sh -c "cat /etc/shadow >/dev/null"
corpus_finish
