#!/usr/bin/env bash
# Corpus scenario kmod-docker: Docker container (busybox:local, helper bind-mounted, default seccomp lets the calls fail with EPERM or not reach the kernel): finit_module and init_module attempts (expects R1002 when the attempt reaches the tracer).
# Regenerates corpus/kmod-docker/ (capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=kmod-docker
DESCRIPTION="Docker container (busybox:local, helper bind-mounted, default seccomp lets the calls fail with EPERM or not reach the kernel): finit_module and init_module attempts (expects R1002 when the attempt reaches the tracer)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

corpus_docker
NAME=loupe-corpus-kmod
docker rm -f "$NAME" >/dev/null 2>&1 || true
corpus_cleanup "docker rm -f $NAME"
corpus_start
docker run --rm --name "$NAME" --network none --security-opt seccomp=unconfined -v "$HELPER:/corpus-attack:ro" busybox:local /corpus-attack kmod
corpus_finish
