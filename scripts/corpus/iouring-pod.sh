#!/usr/bin/env bash
# Corpus scenario iouring-pod: Kubernetes pod (runc container with CRI annotations, helper bind-mounted): io_uring_setup (R1030 needs a learned profile, and R1004, exec from a mount, is profile-optional and stays quiet here: no alert is expected).
# Regenerates corpus/iouring-pod/ (capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=iouring-pod
DESCRIPTION="Kubernetes pod (runc container with CRI annotations, helper bind-mounted): io_uring_setup (R1030 needs a learned profile, and R1004, exec from a mount, is profile-optional and stays quiet here: no alert is expected)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ID=loupe-corpus-iouring
export LOUPE_E2E_DIR="$ROOT/.build/corpus"
corpus_cleanup "$ROOT/scripts/e2e/runc-pod.sh --delete $ID"
corpus_start
"$ROOT/scripts/e2e/runc-pod.sh" --bind "$HELPER:/corpus-attack" "$ID" iouring-pod corpus app -- /corpus-attack iouring
corpus_finish
