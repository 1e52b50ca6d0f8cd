#!/usr/bin/env bash
# Corpus scenario ptrace-host: Host: PTRACE_ATTACH to a child process (expects R1015).
# Regenerates corpus/ptrace-host/ (capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=ptrace-host
DESCRIPTION="Host: PTRACE_ATTACH to a child process (expects R1015)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

corpus_start
"$HELPER" ptrace
corpus_finish
