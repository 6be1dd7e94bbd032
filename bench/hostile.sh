#!/usr/bin/env bash
# Hostile feed shapes: peak RSS (/usr/bin/time) of one `paperfeed collect`
# pass of a generic feed source, and of the source's pass alone (feedpass, no
# store), on documents just under the default 20 MiB body cap: 700,000 nested
# elements, 1.7 million empty elements, 208,000 small legitimate items, a JSON
# Feed of 600,000 tiny items, a normal arXiv-shaped feed, and the largest
# shapes the limits accept; then two feed sources of 208,000 small items in
# one collect with workers = 4 (two large bodies at once).
# BEFORE=/path/to/an/older/paperfeed (and BEFORE_FEEDPASS) measure another
# build side by side in the same run.
set -euo pipefail
B=${B:-/tmp/paperfeed-bench}/hostile
mkdir -p "$B"
cd "$(dirname "$0")/.."
CGO_ENABLED=0 go build -o $B/paperfeed ./cmd/paperfeed
go build -o $B/genfeed ./bench/cmd/genfeed
go build -o $B/feedpass ./bench/cmd/feedpass
cd "$B"
[ -f deep.xml ] || ./genfeed -shape deep -n 700000 -out deep.xml
[ -f wide.xml ] || ./genfeed -shape wide -out wide.xml
[ -f small-items.xml ] || ./genfeed -shape small-items -out small-items.xml
[ -f json-items.json ] || ./genfeed -shape json-items -out json-items.json
[ -f arxiv.xml ] || ./genfeed -n 9500 -out arxiv.xml
[ -f wide-accepted.xml ] || ./genfeed -shape wide -bytes 5900000 -out wide-accepted.xml
[ -f json-accepted.json ] || ./genfeed -shape json-items -bytes 8000000 -out json-accepted.json
builds="after=$B/paperfeed"
[ -n "${BEFORE:-}" ] && builds="before=$BEFORE $builds"
for f in deep.xml wide.xml small-items.xml json-items.json arxiv.xml wide-accepted.xml json-accepted.json; do
  cat > collect-$f.toml <<EOT
[server]
listen = "127.0.0.1:18081"
[storage]
path = "store.db"
[[source]]
name = "hostile"
type = "feed"
url = "file://$B/$f"
EOT
  echo "== $f ($(stat -c %s $f) bytes)"
  for b in $builds; do
    rm -f store.db*
    /usr/bin/time -f "collect ${b%%=*} peak RSS %M KB, %e s" "${b#*=}" collect -config collect-$f.toml -log-level error 2>&1 | sed 's/^/  /' || true
  done
  [ -n "${BEFORE_FEEDPASS:-}" ] && /usr/bin/time -f "  feedpass before peak RSS %M KB, %e s" "$BEFORE_FEEDPASS" $f | sed 's/^/  /'
  /usr/bin/time -f "  feedpass after peak RSS %M KB, %e s" ./feedpass $f | sed 's/^/  /'
  rm -f store.db*
done
cat > collect-two-small-items.toml <<EOT
[server]
listen = "127.0.0.1:18081"
[storage]
path = "store.db"
[collect]
workers = 4
[[source]]
name = "hostile-1"
type = "feed"
url = "file://$B/small-items.xml"
[[source]]
name = "hostile-2"
type = "feed"
url = "file://$B/small-items.xml"
EOT
echo "== two small-items.xml feeds at once (workers = 4)"
for b in $builds; do
  rm -f store.db*
  /usr/bin/time -f "collect ${b%%=*} peak RSS %M KB, %e s" "${b#*=}" collect -config collect-two-small-items.toml -log-level error 2>&1 | sed 's/^/  /' || true
done
rm -f store.db*
