#!/usr/bin/env bash
# Corpus scenario fileless-memfd-host: Host: the helper copies itself into a memfd and executes it with fexecve (expects R1005).
# Regenerates corpus/fileless-memfd-host/ (capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=fileless-memfd-host
DESCRIPTION="Host: the helper copies itself into a memfd and executes it with fexecve (expects R1005)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

corpus_start
"$HELPER" memfd
corpus_finish
