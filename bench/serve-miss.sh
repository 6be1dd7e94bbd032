#!/usr/bin/env bash
# Cache misses under load (issue 10, item 6): the throughput of a cached topic
# feed alone, then while CONNS other connections send distinct full-text
# searches (each one a render: bench/search-flood.lua), first asking again at
# once after a 503 (flood), then waiting its Retry-After (backoff); for each
# binary in BINS, interleaved, REPS times. Loopback only; each wrk run lasts DUR.
# Usage: BINS="before=/path/a after=/path/b" bench/serve-miss.sh STORE
set -euo pipefail
. "$(dirname "$0")/serve-config.sh"
B=${B:-/tmp/paperfeed-bench}
STORE=$1
BINS=${BINS:-paperfeed=$B/paperfeed}
REPS=${REPS:-3}
DUR=${DUR:-10s}
CONNS=${CONNS:-32}
PORT=${PORT:-18090}
LUA=$(cd "$(dirname "$0")" && pwd)/search-flood.lua
mkdir -p $B/serve-miss
cd $B/serve-miss
serve_config $PORT "$STORE"
PF=
cleanup() { [ -n "$PF" ] && kill "$PF" 2>/dev/null || true; }
trap cleanup EXIT
URL=http://127.0.0.1:$PORT/topics/ml.atom
field() { awk -v k="$1" '$1==k{print $2}'; }
for r in $(seq $REPS); do
  for nb in $BINS; do
    name=${nb%%=*} bin=${nb#*=}
    $bin serve -config serve.toml -log-level error & PF=$!
    for i in $(seq 100); do curl -sf -o /dev/null http://127.0.0.1:$PORT/healthz && break; sleep 0.2; done
    sleep 2 # the startup collect pass of the tiny source
    curl -sf -o /dev/null -H 'Accept-Encoding: gzip' $URL
    alone=$(wrk -t1 -c$CONNS -d$DUR --latency -H 'Accept-Encoding: gzip' $URL)
    a=$(echo "$alone" | field Requests/sec:)
    printf "%-8s topic alone          %9s req/s p99 %8s\n" "$name" "$a" "$(echo "$alone" | field 99%)"
    for mode in flood backoff; do
      wrk -t1 -c$CONNS -d$(( ${DUR%s} + 2 ))s --latency -s "$LUA" http://127.0.0.1:$PORT -- $mode > flood.txt & FL=$!
      sleep 1
      loaded=$(wrk -t1 -c$CONNS -d$DUR --latency -H 'Accept-Encoding: gzip' $URL)
      wait $FL
      sleep 2 # renders the flood left in flight end
      l=$(echo "$loaded" | field Requests/sec:)
      printf "%-8s topic under %-8s %9s req/s p99 %8s | ratio %s | %s | search p99 %s\n" \
        "$name" "$mode" "$l" "$(echo "$loaded" | field 99%)" "$(awk -v a="$a" -v l="$l" 'BEGIN{printf "%.2f", l/a}')" \
        "$(grep '^searches:' flood.txt)" "$(field 99% < flood.txt)"
    done
    echo "$name serve RSS peak $(grep VmHWM /proc/$PF/status | awk '{print $2}') KB"
    kill $PF; wait $PF 2>/dev/null || true; PF=
  done
done
