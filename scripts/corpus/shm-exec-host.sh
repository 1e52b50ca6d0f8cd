#!/usr/bin/env bash
# Corpus scenario shm-exec-host: Host: a copy of busybox is written to /dev/shm and executed from there (expects R1000).
# Regenerates corpus/shm-exec-host/ (capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=shm-exec-host
DESCRIPTION="Host: a copy of busybox is written to /dev/shm and executed from there (expects R1000)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

WORK=/dev/shm/busybox
corpus_cleanup "rm -f $WORK"
corpus_start
cp /bin/busybox "$WORK"
"$WORK" true
rm -f "$WORK"
corpus_finish
