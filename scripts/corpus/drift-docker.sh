#!/usr/bin/env bash
# Corpus scenario drift-docker: Docker container (busybox:local): a binary is copied into the running container (docker cp, new file in the upper layer) and executed there with docker exec (expects R1001).
# Regenerates corpus/drift-docker/ (capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=drift-docker
DESCRIPTION="Docker container (busybox:local): a binary is copied into the running container (docker cp, new file in the upper layer) and executed there with docker exec (expects R1001)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

corpus_docker
NAME=loupe-corpus-drift
docker rm -f "$NAME" >/dev/null 2>&1 || true
corpus_cleanup "docker rm -f $NAME"
docker run -d --name "$NAME" --network none busybox:local sleep 60 >/dev/null
corpus_start
docker cp "$HELPER" "$NAME:/tmp/dropper"
docker exec "$NAME" /tmp/dropper iouring
docker rm -f "$NAME" >/dev/null
corpus_finish
