#!/usr/bin/env bash
# Corpus scenario mining-port-docker: Docker container (busybox:local, no network but loopback, helper bind-mounted): a TCP connection to 127.0.0.1:3333, a stratum mining port (expects R1009).
# Regenerates corpus/mining-port-docker/ (capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=mining-port-docker
DESCRIPTION="Docker container (busybox:local, no network but loopback, helper bind-mounted): a TCP connection to 127.0.0.1:3333, a stratum mining port (expects R1009)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

corpus_docker
NAME=loupe-corpus-mining-port
docker rm -f "$NAME" >/dev/null 2>&1 || true
corpus_cleanup "docker rm -f $NAME"
corpus_start
docker run --rm --name "$NAME" --network none -v "$HELPER:/corpus-attack:ro" busybox:local /corpus-attack connect 3333
corpus_finish
