#!/usr/bin/env bash
# Corpus scenario dns-mining-host: Host: an A query for xmr.pool.minergate.com to a local UDP responder on 127.0.0.1:53 (expects R1008).
# Regenerates corpus/dns-mining-host/ (capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=dns-mining-host
DESCRIPTION="Host: an A query for xmr.pool.minergate.com to a local UDP responder on 127.0.0.1:53 (expects R1008)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

corpus_start
"$HELPER" resolver 4 &
RESOLVER=$!
corpus_cleanup "kill $RESOLVER"
sleep 0.3
"$HELPER" dns xmr.pool.minergate.com
wait "$RESOLVER"
corpus_finish
