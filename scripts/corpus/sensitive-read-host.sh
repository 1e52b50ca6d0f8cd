#!/usr/bin/env bash
# Corpus scenario sensitive-read-host: Host: cat /etc/shadow by root, not one of the programs whose job it is (expects R0010).
# Regenerates corpus/sensitive-read-host/ (capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=sensitive-read-host
DESCRIPTION="Host: cat /etc/shadow by root, not one of the programs whose job it is (expects R0010)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

corpus_start
cat /etc/shadow >/dev/null
corpus_finish
