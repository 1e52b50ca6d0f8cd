#!/usr/bin/env bash
# Corpus scenario unshare-docker: Docker container (busybox:local, seccomp unconfined so the call reaches the kernel): unshare(CLONE_NEWUTS|CLONE_NEWNS) (expects R1006).
# Regenerates corpus/unshare-docker/ (capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=unshare-docker
DESCRIPTION="Docker container (busybox:local, seccomp unconfined so the call reaches the kernel): unshare(CLONE_NEWUTS|CLONE_NEWNS) (expects R1006)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

corpus_docker
NAME=loupe-corpus-unshare
docker rm -f "$NAME" >/dev/null 2>&1 || true
corpus_cleanup "docker rm -f $NAME"
corpus_start
docker run --rm --name "$NAME" --network none --security-opt seccomp=unconfined -v "$HELPER:/corpus-attack:ro" busybox:local /corpus-attack unshare
corpus_finish
