#!/usr/bin/env bash
# Corpus scenario ld-preload-host: Host: a program is executed with LD_PRELOAD=/tmp/corpus-hook.so in its environment (expects R1011).
# Regenerates corpus/ld-preload-host/ (capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=ld-preload-host
DESCRIPTION="Host: a program is executed with LD_PRELOAD=/tmp/corpus-hook.so in its environment (expects R1011)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

corpus_start
LD_PRELOAD=/tmp/corpus-hook.so /bin/busybox true 2>/dev/null
corpus_finish
