#!/usr/bin/env bash
# Corpus scenario bpf-host: Host: bpf(BPF_PROG_LOAD) of a two-instruction socket filter (expects R0009).
# Regenerates corpus/bpf-host/ (capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=bpf-host
DESCRIPTION="Host: bpf(BPF_PROG_LOAD) of a two-instruction socket filter (expects R0009)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

corpus_start
"$HELPER" bpf
corpus_finish
