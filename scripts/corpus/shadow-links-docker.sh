#!/usr/bin/env bash
# Corpus scenario shadow-links-docker: Docker container (busybox:local): a symlink and a hard link to /etc/shadow are created in /tmp (expects R1010, R1012).
# Regenerates corpus/shadow-links-docker/ (capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=shadow-links-docker
DESCRIPTION="Docker container (busybox:local): a symlink and a hard link to /etc/shadow are created in /tmp (expects R1010, R1012)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

corpus_docker
NAME=loupe-corpus-shadow-links
docker rm -f "$NAME" >/dev/null 2>&1 || true
corpus_cleanup "docker rm -f $NAME"
corpus_start
docker run --rm --name "$NAME" --network none busybox:local sh -c "ln -s /etc/shadow /tmp/s && ln /etc/shadow /tmp/h"
corpus_finish
