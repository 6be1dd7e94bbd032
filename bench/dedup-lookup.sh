#!/usr/bin/env bash
# Candidate lookup per incoming item (aggregator's BenchmarkIngest: a new
# paper, an exact duplicate, a near duplicate found through blocking keys, at
# 1,000 and 100,000 stored papers) of two builds side by side: BEFORE (a git
# revision, default HEAD~1) and the working tree, their test binaries run in
# turn ROUNDS times (default 2) so both see the same machine load. Each run
# seeds its own stores (the schemas differ) and repeats every figure COUNT
# times (default 3). Prints the raw benchmark lines, labelled: ns/op is wall
# time per item, cpu-ns/op the process's CPU time per item (steadier on a
# shared machine).
set -euo pipefail
BEFORE=${BEFORE:-HEAD~1}
ROUNDS=${ROUNDS:-2}
COUNT=${COUNT:-3}
B=${B:-/tmp/paperfeed-bench}/dedup-lookup
cd "$(dirname "$0")/.."
rm -rf "$B/before-src" && mkdir -p "$B/before-src"
git archive "$BEFORE" | tar -x -C "$B/before-src"
# The same benchmark code on both builds (it reports CPU time per item too).
cp aggregator/ingest_bench_test.go "$B/before-src/aggregator/"
(cd "$B/before-src" && go test -c -o "$B/before.test" ./aggregator/)
go test -c -o "$B/after.test" ./aggregator/
echo "before = $(git rev-parse --short "$BEFORE"), after = working tree on $(git rev-parse --short HEAD)"
for r in $(seq "$ROUNDS"); do
  for b in before after; do
    echo "== round $r: $b"
    (cd aggregator && "$B/$b.test" -test.run '^$' -test.bench 'BenchmarkIngest/' -test.benchtime 200x \
      -test.count "$COUNT" -test.timeout 30m) | grep '^BenchmarkIngest' | sed "s/^/$b /"
  done
done
