#!/usr/bin/env bash
# Corpus scenario dns-mining-docker: Docker container (busybox:local, host network, helper bind-mounted): an A query for pool.supportxmr.com to a local UDP responder on 127.0.0.1:53 (expects R1008).
# Regenerates corpus/dns-mining-docker/ (capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=dns-mining-docker
DESCRIPTION="Docker container (busybox:local, host network, helper bind-mounted): an A query for pool.supportxmr.com to a local UDP responder on 127.0.0.1:53 (expects R1008)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

corpus_docker
NAME=loupe-corpus-dns
docker rm -f "$NAME" >/dev/null 2>&1 || true
corpus_cleanup "docker rm -f $NAME"
corpus_start
"$HELPER" resolver 4 &
RESOLVER=$!
corpus_cleanup "kill $RESOLVER"
docker run --rm --name "$NAME" --network host -v "$HELPER:/corpus-attack:ro" busybox:local /corpus-attack dns pool.supportxmr.com
wait "$RESOLVER"
corpus_finish
