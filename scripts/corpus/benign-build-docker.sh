#!/usr/bin/env bash
# Corpus scenario benign-build-docker: Docker container (busybox:local), benign: a build-like session writes a shell script, makes it executable in /tmp, runs it, archives the result with tar and gzip (expects no alerts).
# Regenerates corpus/benign-build-docker/ (capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=benign-build-docker
DESCRIPTION="Docker container (busybox:local), benign: a build-like session writes a shell script, makes it executable in /tmp, runs it, archives the result with tar and gzip (expects no alerts)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

corpus_docker
NAME=loupe-corpus-build
docker rm -f "$NAME" >/dev/null 2>&1 || true
corpus_cleanup "docker rm -f $NAME"
corpus_start
docker run --rm --name "$NAME" --network none -w /work busybox:local sh -c "mkdir -p /work/out && echo \"echo built > /work/out/app\" > build.sh && sh build.sh && tar -cf out.tar out && gzip out.tar && ls -l"
corpus_finish
