#!/usr/bin/env bash
# Corpus scenario ld-so-preload-docker: Docker container (busybox:local): /etc/ld.so.preload is written (expects R1011).
# Regenerates corpus/ld-so-preload-docker/ (capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=ld-so-preload-docker
DESCRIPTION="Docker container (busybox:local): /etc/ld.so.preload is written (expects R1011)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

corpus_docker
NAME=loupe-corpus-ld-so-preload
docker rm -f "$NAME" >/dev/null 2>&1 || true
corpus_cleanup "docker rm -f $NAME"
corpus_start
docker run --rm --name "$NAME" --network none busybox:local sh -c "echo /tmp/hook.so > /etc/ld.so.preload"
corpus_finish
