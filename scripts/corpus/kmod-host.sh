#!/usr/bin/env bash
# Corpus scenario kmod-host: Host: finit_module and init_module attempts with bogus images (they fail; the attempt is what counts; expects R1002).
# Regenerates corpus/kmod-host/ (capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=kmod-host
DESCRIPTION="Host: finit_module and init_module attempts with bogus images (they fail; the attempt is what counts; expects R1002)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

corpus_start
"$HELPER" kmod
corpus_finish
