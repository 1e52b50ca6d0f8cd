#!/usr/bin/env bash
# Corpus scenario benign-package-docker: Docker container (busybox:local), benign: a package-manager-like install unpacks a tar.gz of data and config files into /usr/share and /etc, records it in a database file and runs installed-file checks with md5sum (expects no alerts).
# Regenerates corpus/benign-package-docker/ (capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=benign-package-docker
DESCRIPTION="Docker container (busybox:local), benign: a package-manager-like install unpacks a tar.gz of data and config files into /usr/share and /etc, records it in a database file and runs installed-file checks with md5sum (expects no alerts)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

corpus_docker
NAME=loupe-corpus-package
docker rm -f "$NAME" >/dev/null 2>&1 || true
corpus_cleanup "docker rm -f $NAME"
corpus_start
docker run --rm --name "$NAME" --network none busybox:local sh -c "mkdir -p /pkg/usr/share/demo /pkg/etc/demo /var/lib/pkg && echo data > /pkg/usr/share/demo/data.txt && echo key=value > /pkg/etc/demo/demo.conf && tar -C /pkg -czf /tmp/demo.tar.gz . && tar -C / -xzf /tmp/demo.tar.gz && (cd /pkg && find . -type f | xargs md5sum) > /var/lib/pkg/demo.md5 && md5sum -c -s /var/lib/pkg/demo.md5 2>/dev/null; echo demo-1.0 >> /var/lib/pkg/installed"
corpus_finish
