#!/usr/bin/env bash
# Corpus scenario syscall-cap-pod: Kubernetes pod (deployment corpus/web; syscall and capabilities events recorded) judged against the profile of a normal run: the anomalous run also runs chroot / true (expects R0003 for chroot, R0004 for SYS_CHROOT, R0040 for the new command lines; the recorded run also has R0003 for sched_yield by runc:[2:INIT], runc's own call that the one-run profile happened to miss).
# Regenerates corpus/syscall-cap-pod/ (learn, profiles, capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=syscall-cap-pod
DESCRIPTION="Kubernetes pod (deployment corpus/web; syscall and capabilities events recorded) judged against the profile of a normal run: the anomalous run also runs chroot / true (expects R0003 for chroot, R0004 for SYS_CHROOT, R0040 for the new command lines; the recorded run also has R0003 for sched_yield by runc:[2:INIT], runc's own call that the one-run profile happened to miss)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
CORPUS_EVENTS+=",syscall,capabilities"

corpus_web_learn "$WEB_NORMAL"
corpus_start
corpus_web_pod attack "$WEB_NORMAL
chroot / true"
corpus_finish
