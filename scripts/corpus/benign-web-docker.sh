#!/usr/bin/env bash
# Corpus scenario benign-web-docker: Docker container (busybox:local, host network), benign: busybox httpd serves a page on 127.0.0.1:18080 and wget fetches it three times (expects no alerts).
# Regenerates corpus/benign-web-docker/ (capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=benign-web-docker
DESCRIPTION="Docker container (busybox:local, host network), benign: busybox httpd serves a page on 127.0.0.1:18080 and wget fetches it three times (expects no alerts)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

corpus_docker
NAME=loupe-corpus-web
docker rm -f "$NAME" >/dev/null 2>&1 || true
corpus_cleanup "docker rm -f $NAME"
corpus_start
docker run --rm --name "$NAME" --network host busybox:local sh -c "mkdir -p /www && echo hello > /www/index.html && httpd -p 127.0.0.1:18080 -h /www && sleep 0.3 && for i in 1 2 3; do wget -q -O - http://127.0.0.1:18080/ >/dev/null; done; kill \$(pidof httpd)"
corpus_finish
