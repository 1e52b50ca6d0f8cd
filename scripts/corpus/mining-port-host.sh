#!/usr/bin/env bash
# Corpus scenario mining-port-host: Host: a TCP connection to 127.0.0.1:3333, a stratum mining port (expects R1009).
# Regenerates corpus/mining-port-host/ (capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=mining-port-host
DESCRIPTION="Host: a TCP connection to 127.0.0.1:3333, a stratum mining port (expects R1009)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

corpus_start
"$HELPER" connect 3333
corpus_finish
