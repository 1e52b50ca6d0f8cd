#!/usr/bin/env bash
# Corpus scenario shm-exec-docker: Docker container (busybox:local, /dev/shm an exec tmpfs): busybox is copied to /dev/shm and executed from there (expects R1000).
# Regenerates corpus/shm-exec-docker/ (capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=shm-exec-docker
DESCRIPTION="Docker container (busybox:local, /dev/shm an exec tmpfs): busybox is copied to /dev/shm and executed from there (expects R1000)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

corpus_docker
NAME=loupe-corpus-shm-exec
docker rm -f "$NAME" >/dev/null 2>&1 || true
corpus_cleanup "docker rm -f $NAME"
corpus_start
docker run --rm --name "$NAME" --network none --tmpfs /dev/shm:rw,exec,mode=1777 busybox:local \
	sh -c "cp /bin/busybox /dev/shm/busybox && /dev/shm/busybox true"
corpus_finish
