#!/usr/bin/env bash
# Builds the binaries, generates the feeds and seeds the stores the benchmark
# scripts use, once, into $B (default /tmp/paperfeed-bench). The 1M store takes
# about 8 minutes to seed (3.4 GB); everything is reused by ingest.sh and serve.sh.
set -euo pipefail
B=${B:-/tmp/paperfeed-bench}
mkdir -p $B/run
cd "$(dirname "$0")/.."
CGO_ENABLED=0 go build -o $B/paperfeed ./cmd/paperfeed
for c in seed genfeed parsefloor barehandler topicq collectprof; do go build -o $B/$c ./bench/cmd/$c; done
for n in 5000 20000 100000; do [ -f $B/feed-$n.xml ] || $B/genfeed -from 2000000 -n $n -out $B/feed-$n.xml; done
for s in 10k:10000 100k:100000 1m:1000000; do
  [ -f $B/store-${s%%:*}.db ] || $B/seed -n ${s##*:} -db $B/store-${s%%:*}.db
done
