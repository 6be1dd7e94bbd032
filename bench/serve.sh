#!/usr/bin/env bash
# Serving benchmark: wrk on loopback against paperfeed serve's /topics/ml.atom
# (50 items, gzip), nginx serving the very same bytes from disk, and a bare
# net/http handler writing them from memory, interleaved, REPS times each; plus
# 304 answers, RSS of serve idle and under load, and uncached topic queries.
# Usage: bench/serve.sh STORE   (a store made by bench/cmd/seed)
# PG_STORE=postgres://...&search_path=S (the same papers seeded by bench/cmd/seed
# into PostgreSQL) adds a second paperfeed on that store, interleaved with the
# first: paperfeed-pg and paperfeed-pg-304.
set -euo pipefail
. "$(dirname "$0")/serve-config.sh"
B=${B:-/tmp/paperfeed-bench}
STORE=$1
REPS=${REPS:-3}
DUR=${DUR:-5s}
CONNS=${CONNS:-64}
W=$B/www; mkdir -p $W/topics $B/serve
cd $B/serve
serve_config 18080 "$STORE"
PG_STORE=${PG_STORE:-}
[ -n "$PG_STORE" ] && serve_config 18083 "$PG_STORE" serve-pg.toml
cat > nginx.conf <<EOT
worker_processes 1;
pid $B/serve/nginx.pid;
error_log $B/serve/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  server {
    listen 127.0.0.1:18082;
    root $W;
    location = /topics/ml.atom {
      default_type "application/atom+xml; charset=utf-8";
      add_header Content-Encoding gzip;
      try_files /topics/ml.atom.gz =404;
    }
  }
}
EOT
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; [ -f nginx.pid ] && kill "$(cat nginx.pid)" 2>/dev/null || true; }
trap cleanup EXIT
$B/paperfeed serve -config serve.toml -log-level error & PF=$!; pids+=($PF)
for i in $(seq 100); do curl -sf -o /dev/null http://127.0.0.1:18080/healthz && break; sleep 0.2; done
if [ -n "$PG_STORE" ]; then
  $B/paperfeed serve -config serve-pg.toml -log-level error & PG=$!; pids+=($PG)
  for i in $(seq 100); do curl -sf -o /dev/null http://127.0.0.1:18083/healthz && break; sleep 0.2; done
fi
sleep 2 # the startup collect pass of the tiny source
curl -s -H 'Accept-Encoding: gzip' -D headers.txt -o $W/topics/ml.atom.gz http://127.0.0.1:18080/topics/ml.atom
ETAG=$(grep -i '^etag:' headers.txt | cut -d' ' -f2 | tr -d '\r')
echo "feed: $(stat -c %s $W/topics/ml.atom.gz) bytes gzip, $(zcat $W/topics/ml.atom.gz | grep -c '<entry>') entries, etag $ETAG"
echo "serve RSS idle: $(grep VmRSS /proc/$PF/status | awk '{print $2}') KB"
if [ -n "$PG_STORE" ]; then
  curl -s -H 'Accept-Encoding: gzip' -D headers-pg.txt -o pg.atom.gz http://127.0.0.1:18083/topics/ml.atom
  PG_ETAG=$(grep -i '^etag:' headers-pg.txt | cut -d' ' -f2 | tr -d '\r')
  echo "feed on PostgreSQL: $(stat -c %s pg.atom.gz) bytes gzip, $(zcat pg.atom.gz | grep -c '<entry>') entries, etag $PG_ETAG; same entries as on SQLite: $(cmp -s <(zcat pg.atom.gz | grep -o '<id>[^<]*</id>') <(zcat $W/topics/ml.atom.gz | grep -o '<id>[^<]*</id>') && echo yes || echo no)"
  echo "serve (PostgreSQL) RSS idle: $(grep VmRSS /proc/$PG/status | awk '{print $2}') KB"
fi
nginx -c $B/serve/nginx.conf
$B/barehandler -listen 127.0.0.1:18081 -body $W/topics/ml.atom.gz & pids+=($!)
sleep 0.5
cmp <(curl -s -H 'Accept-Encoding: gzip' http://127.0.0.1:18082/topics/ml.atom) $W/topics/ml.atom.gz
cmp <(curl -s -H 'Accept-Encoding: gzip' http://127.0.0.1:18081/) $W/topics/ml.atom.gz
run() { # name url [header]
  local out
  if [ $# -ge 3 ]; then out=$(wrk -t2 -c$CONNS -d$DUR --latency -H 'Accept-Encoding: gzip' -H "$3" "$2"); else out=$(wrk -t2 -c$CONNS -d$DUR --latency -H 'Accept-Encoding: gzip' "$2"); fi
  printf "%-14s %10s req/s  p50 %8s  p99 %8s\n" "$1" "$(echo "$out" | awk '/Requests\/sec/{print $2}')" "$(echo "$out" | awk '$1=="50%"{print $2}')" "$(echo "$out" | awk '$1=="99%"{print $2}')"
}
for r in $(seq $REPS); do
  run nginx http://127.0.0.1:18082/topics/ml.atom
  run bare http://127.0.0.1:18081/
  run paperfeed http://127.0.0.1:18080/topics/ml.atom
  run paperfeed-304 http://127.0.0.1:18080/topics/ml.atom "If-None-Match: $ETAG"
  if [ -n "$PG_STORE" ]; then
    run paperfeed-pg http://127.0.0.1:18083/topics/ml.atom
    run paperfeed-pg-304 http://127.0.0.1:18083/topics/ml.atom "If-None-Match: $PG_ETAG"
  fi
done
echo "serve RSS after load: $(grep VmRSS /proc/$PF/status | awk '{print $2}') KB, peak $(grep VmHWM /proc/$PF/status | awk '{print $2}') KB"
[ -n "$PG_STORE" ] && echo "serve (PostgreSQL) RSS after load: $(grep VmRSS /proc/$PG/status | awk '{print $2}') KB, peak $(grep VmHWM /proc/$PG/status | awk '{print $2}') KB"
true
