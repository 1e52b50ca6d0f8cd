#!/usr/bin/env bash
# Corpus scenario ptrace-docker: Docker container (busybox:local, helper bind-mounted): PTRACE_ATTACH to a child process (expects R1015).
# Regenerates corpus/ptrace-docker/ (capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=ptrace-docker
DESCRIPTION="Docker container (busybox:local, helper bind-mounted): PTRACE_ATTACH to a child process (expects R1015)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

corpus_docker
NAME=loupe-corpus-ptrace
docker rm -f "$NAME" >/dev/null 2>&1 || true
corpus_cleanup "docker rm -f $NAME"
corpus_start
docker run --rm --name "$NAME" --network none -v "$HELPER:/corpus-attack:ro" busybox:local /corpus-attack ptrace
corpus_finish
