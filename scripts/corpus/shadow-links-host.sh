#!/usr/bin/env bash
# Corpus scenario shadow-links-host: Host: ln -s /etc/shadow and ln /etc/shadow into /var/tmp (expects R1010, R1012).
# Regenerates corpus/shadow-links-host/ (capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=shadow-links-host
DESCRIPTION="Host: ln -s /etc/shadow and ln /etc/shadow into /var/tmp (expects R1010, R1012)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

LINKS=/var/tmp/loupe-corpus-links
rm -rf "$LINKS"
mkdir -p "$LINKS"
corpus_cleanup "rm -rf $LINKS"
corpus_start
ln -s /etc/shadow "$LINKS/s"
ln /etc/shadow "$LINKS/h"
corpus_finish
