#!/usr/bin/env bash
# Corpus scenario benign-shell-host: Host, benign: a shell session running ls, cat and grep (expects no alerts).
# Regenerates corpus/benign-shell-host/ (capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=benign-shell-host
DESCRIPTION="Host, benign: a shell session running ls, cat and grep (expects no alerts)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

corpus_start
sh -c "ls / >/dev/null; cat /etc/hostname >/dev/null; grep -c root /etc/passwd >/dev/null; ls -l /tmp >/dev/null"
corpus_finish
