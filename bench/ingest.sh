#!/usr/bin/env bash
# Ingest benchmark: `paperfeed collect` of generated arXiv RSS feeds into a fresh
# store and into a store of 1,000,000 papers, against the gofeed parse floor of
# the same file, side by side in one run. Wall time (hyperfine, median of RUNS)
# and peak RSS (/usr/bin/time). Needs bench/setup.sh to have run.
set -euo pipefail
B=${B:-/tmp/paperfeed-bench}
RUNS=${RUNS:-3}
SIZES=${SIZES:-"5000 20000 100000"}
BIG=${BIG:-$B/store-1m.db}
cd "$B/run"
for n in $SIZES; do
  runs=$RUNS; [ "$n" -ge 100000 ] && runs=1
  cat > collect-$n.toml <<EOT
[server]
listen = "127.0.0.1:18080"
[storage]
path = "store.db"
[collect]
timeout = "30m"
max_body_bytes = 1073741824
[[source]]
name = "arxiv-bench"
type = "arxiv"
url = "file://$B/feed-$n.xml"
EOT
  echo "== $n papers"
  hyperfine --runs $runs --export-json ingest-$n.json \
    --prepare true -n "parse-floor-$n" "$B/parsefloor $B/feed-$n.xml" \
    --prepare "rm -f store.db store.db-wal store.db-shm" -n "collect-empty-$n" "$B/paperfeed collect -config collect-$n.toml -log-level error" \
    --prepare "rm -f store.db store.db-wal store.db-shm; cp --sparse=always $BIG store.db; cat store.db > /dev/null" -n "collect-1m-$n" "$B/paperfeed collect -config collect-$n.toml -log-level error" \
    >/dev/null 2>&1
  python3 -c "import json; [print(\"%-22s median %.2f s  runs %s\" % (r[\"command\"], r[\"median\"], \" \".join(\"%.2f\" % t for t in r[\"times\"]))) for r in json.load(open(\"ingest-$n.json\"))[\"results\"]]"
  /usr/bin/time -f "parse-floor-$n peak RSS %M KB" "$B/parsefloor" "$B/feed-$n.xml" >/dev/null
  rm -f store.db*; /usr/bin/time -f "collect-empty-$n peak RSS %M KB" "$B/paperfeed" collect -config collect-$n.toml -log-level error
  rm -f store.db*; cp $BIG store.db; /usr/bin/time -f "collect-1m-$n peak RSS %M KB" "$B/paperfeed" collect -config collect-$n.toml -log-level error
  rm -f store.db*
done
