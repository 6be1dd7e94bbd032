#!/usr/bin/env bash
# Chaos test of several replicas on one PostgreSQL database (issue 13), on
# loopback only, bounded (about 4 minutes): the chaos upstream serves 8 feed
# sources (intervals 50-85 s) whose items grow every 3 s and logs every fetch
# with its time, source and replica; 3 `paperfeed serve` replicas share one
# schema; nginx, with the README's "Several replicas" site config, balances
# them; wrk loads every replica and nginx for the whole run (bench/chaos.lua
# counts answers by status). Replica r2 is SIGKILLed twice in the middle of a
# fetch (headers received, body pending) and restarted. Then one new item per
# source, polled on every replica's feed. At the end: 5xx answers, sources
# fetched again inside their interval (from the upstream's log), papers lost
# (served upstream, missing from the store), seconds until every replica
# serves a new collect.
#
# Usage: PAPERFEED_TEST_POSTGRES_URL=postgres://... bench/chaos.sh
#        PAPERFEED_BIN=/path/to/paperfeed ... bench/chaos.sh   (test that build)
# Needs wrk and nginx (apt-get install -y wrk nginx-light) and psql.
set -euo pipefail
: "${PAPERFEED_TEST_POSTGRES_URL:?set it to a PostgreSQL database this script may create a schema in}"
for t in wrk nginx psql; do command -v $t >/dev/null || { echo "chaos.sh: $t is not installed" >&2; exit 2; }; done
B=${B:-/tmp/paperfeed-chaos}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
UP=127.0.0.1:19100
LB=127.0.0.1:19000
PORTS=(19001 19002 19003)
SOURCES=${SOURCES:-"s1=50s,s2=55s,s3=60s,s4=65s,s5=70s,s6=75s,s7=80s,s8=85s"}
CONNS=${CONNS:-4}
rm -rf $B; mkdir -p $B/nginx-cache
cd $B
# PAPERFEED_BIN: another build to test (e.g. the tree before a change).
if [ -n "${PAPERFEED_BIN:-}" ]; then cp "$PAPERFEED_BIN" $B/paperfeed; else CGO_ENABLED=0 go -C "$ROOT" build -o $B/paperfeed ./cmd/paperfeed; fi
go -C "$ROOT" build -o $B/chaos ./bench/cmd/chaos

SCHEMA=chaos_$$
psql -q "$PAPERFEED_TEST_POSTGRES_URL" -c "CREATE SCHEMA $SCHEMA"
sep='?'; case $PAPERFEED_TEST_POSTGRES_URL in *\?*) sep='&';; esac
DBURL="$PAPERFEED_TEST_POSTGRES_URL${sep}search_path=$SCHEMA"

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f $B/nginx.pid ] && kill "$(cat $B/nginx.pid)" 2>/dev/null || true
  wait 2>/dev/null || true
  psql -q "$PAPERFEED_TEST_POSTGRES_URL" -c "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" || true
}
trap cleanup EXIT

# One config per replica: its own listener, and its name in the User-Agent
# so the upstream's log says which replica fetched.
config() { # N
  cat > r$1.toml <<EOT
[server]
listen = "127.0.0.1:${PORTS[$(($1-1))]}"
base_url = "http://$LB"
[storage]
url = "$DBURL"
[collect]
interval = "1h"
timeout = "10s"
workers = 4
user_agent = "paperfeed-chaos r$1 (+mailto:chaos@example.org)"
arxiv_api_url = ""
EOT
  for s in ${SOURCES//,/ }; do
    printf '[[source]]\nname = "%s"\ntype = "feed"\nurl = "http://%s/feed/%s.xml"\ninterval = "%s"\n' "${s%%=*}" "$UP" "${s%%=*}" "${s##*=}" >> r$1.toml
  done
  cat >> r$1.toml <<EOT
[[topic]]
name = "ml"
title = "Learning"
query = 'learning OR model'
[[topic]]
name = "probe"
title = "Probe items"
query = 'zzprobe'
EOT
}
declare -A RPID
start() { # N
  $B/paperfeed serve -config r$1.toml -log-level info 2>> r$1.log &
  RPID[$1]=$!; pids+=($!)
  for _ in $(seq 100); do curl -sf -o /dev/null http://127.0.0.1:${PORTS[$(($1-1))]}/healthz && return; sleep 0.1; done
  echo "replica r$1 did not start" >&2; tail r$1.log >&2; exit 1
}

$B/chaos upstream -listen $UP -sources "$SOURCES" -add-every 3s -delay 2s -log fetches.jsonl 2> upstream.log & pids+=($!)
sleep 0.3
for n in 1 2 3; do config $n; done
# The schema is migrated by the first replica alone; the others start beside it.
start 1; start 2; start 3
echo "replicas: r1 pid ${RPID[1]}, r2 pid ${RPID[2]}, r3 pid ${RPID[3]} on ports ${PORTS[*]}; database schema $SCHEMA"

# nginx in front, with the README's site config (the block after "Several
# replicas"), its addresses made loopback, TLS left out.
awk '/^### Several replicas/{s=1} s&&/^```nginx/{p=1;next} p&&/^```/{exit} p' "$ROOT/README.md" \
  | sed -e "s#server 10.0.0.11:8080#server 127.0.0.1:${PORTS[0]}#" \
        -e "s#server 10.0.0.12:8080#server 127.0.0.1:${PORTS[1]}#" \
        -e "/server 127.0.0.1:${PORTS[1]}/a\\    server 127.0.0.1:${PORTS[2]} max_fails=1 fail_timeout=10s;" \
        -e "s#listen 443 ssl;#listen $LB;#" -e '/ssl_certificate/d' -e '/http2/d' \
        -e "s#/var/cache/nginx/paperfeed#$B/nginx-cache#" > site.conf
grep -q "upstream paperfeed" site.conf || { echo "no nginx example found in README.md" >&2; exit 1; }
cat > nginx.conf <<EOT
worker_processes 1;
pid $B/nginx.pid;
error_log $B/nginx-error.log;
events { worker_connections 1024; }
http {
  log_format cache '\$status \$upstream_cache_status \$upstream_addr \$request_time "\$request"';
  access_log $B/nginx-access.log cache buffer=64k flush=1s;
  include $B/site.conf;
}
EOT
nginx -t -c $B/nginx.conf 2>&1 | sed 's/^/nginx -t: /'
nginx -c $B/nginx.conf

for n in 1 2 3; do
  wrk -t1 -c$CONNS -d600s -s "$ROOT/bench/chaos.lua" http://127.0.0.1:${PORTS[$(($n-1))]} > wrk-r$n.txt 2>&1 & WRK[$n]=$!
done
wrk -t1 -c$CONNS -d600s -s "$ROOT/bench/chaos.lua" http://$LB > wrk-nginx.txt 2>&1 & WRK[4]=$!
pids+=(${WRK[@]})
# The readiness check a balancer would poll, 4 times a second per replica.
( while :; do
    for n in 1 2 3; do echo "r$n $(curl -s -o /dev/null -m 5 -w '%{http_code}' http://127.0.0.1:${PORTS[$(($n-1))]}/readyz)"; done
    sleep 0.25
  done > readyz.txt ) & READY=$!; pids+=($READY)
T0=$(date +%s)

for k in 1 2; do
  sleep ${KILL_GAP:-20}
  $B/chaos kill -upstream http://$UP -replica r2 -pid ${RPID[2]} -log kills.jsonl \
    -status "http://127.0.0.1:${PORTS[0]}/status?format=json"
  wait ${RPID[2]} 2>/dev/null || true
  sleep 2
  start 2
  echo "r2 restarted as pid ${RPID[2]} ($(( $(date +%s) - T0 )) s into the run)"
done

# Seconds until every replica serves a new collect: one new item per source.
$B/chaos probe -upstream http://$UP -replicas "http://127.0.0.1:${PORTS[0]},http://127.0.0.1:${PORTS[1]},http://127.0.0.1:${PORTS[2]}" \
  -sources "$(echo "$SOURCES" | sed 's/=[^,]*//g')"

kill $READY
for w in ${WRK[@]}; do kill -INT $w; done
for w in ${WRK[@]}; do wait $w 2>/dev/null || true; done
echo "load: $(( $(date +%s) - T0 )) s of wrk -t1 -c$CONNS on each replica and on nginx"
for n in 1 2 3; do echo "wrk r$n:    $(grep statuses wrk-r$n.txt) $(awk '/Requests\/sec/{print $2" req/s"}' wrk-r$n.txt)"; done
echo "wrk nginx: $(grep statuses wrk-nginx.txt) $(awk '/Requests\/sec/{print $2" req/s"}' wrk-nginx.txt)"
for n in 1 2 3; do echo "/readyz r$n: $(awk -v r=r$n '$1==r{c[$2]++} END{for (k in c) printf "%s=%d ", (k=="000"?"refused":k), c[k]}' readyz.txt)"; done

# Which documents answered 5xx (the feeds' counter; a restarted replica's counts start again).
for n in 1 2 3; do
  echo "feeds 5xx counter r$n (counts requests whose client hung up, never delivered): $(curl -s http://127.0.0.1:${PORTS[$(($n-1))]}/metrics | grep '^paperfeed_feed_requests_total' | grep 'status="5' | tr '\n' ' ')"
done
echo "nginx answers by cache status: $(awk '{print $2}' nginx-access.log | sort | uniq -c | tr '\n' ' ')"
echo "nginx 5xx: $(awk '$1 >= 500' nginx-access.log | wc -l); retried on another replica: $(awk '$3 ~ /,/' nginx-access.log | wc -l)"

curl -s -X POST http://$UP/control/freeze >/dev/null
sleep 10 # the passes in flight commit; later ones find nothing new
# The same document from every replica has the same validators.
for n in 1 2 3; do
  curl -s -o /dev/null -D - -H 'Accept-Encoding: gzip' http://127.0.0.1:${PORTS[$(($n-1))]}/topics/ml.atom | tr -d '\r' | awk -v r=r$n 'tolower($1)=="etag:"{e=$2} tolower($1)=="last-modified:"{sub(/^[^:]*: /,""); l=$0} END{print "validators " r ": ETag " e ", Last-Modified " l}'
done

# SIGTERM: each replica finishes its requests and the pass in flight, then exits.
for n in 1 2 3; do kill -TERM ${RPID[$n]}; done
for n in 1 2 3; do wait ${RPID[$n]} 2>/dev/null || true; done
psql -At "$PAPERFEED_TEST_POSTGRES_URL" -c "SELECT source || ' ' || guid FROM $SCHEMA.sightings" > sightings.txt
echo "store: $(psql -At "$PAPERFEED_TEST_POSTGRES_URL" -c "SELECT count(*) FROM $SCHEMA.papers") papers, $(wc -l < sightings.txt) sightings"
grep -h '"level":"ERROR"\|level=ERROR' r?.log | head -5 || true
$B/chaos report -log fetches.jsonl -kills kills.jsonl -sources "$SOURCES" -store sightings.txt
