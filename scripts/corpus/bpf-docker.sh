#!/usr/bin/env bash
# Corpus scenario bpf-docker: Docker container (busybox:local, seccomp unconfined, helper bind-mounted): bpf(BPF_PROG_LOAD) of a socket filter (R0009).
# Regenerates corpus/bpf-docker/ (capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=bpf-docker
DESCRIPTION="Docker container (busybox:local, seccomp unconfined, helper bind-mounted): bpf(BPF_PROG_LOAD) of a socket filter (R0009)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

corpus_docker
NAME=loupe-corpus-bpf
docker rm -f "$NAME" >/dev/null 2>&1 || true
corpus_cleanup "docker rm -f $NAME"
corpus_start
docker run --rm --name "$NAME" --network none --security-opt seccomp=unconfined -v "$HELPER:/corpus-attack:ro" busybox:local /corpus-attack bpf
corpus_finish
