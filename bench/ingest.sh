#!/usr/bin/env bash
# Ingest benchmark: `paperfeed collect` of generated arXiv RSS feeds into a fresh
# store and into a store of 1,000,000 papers, against the gofeed parse floor of
# the same file, side by side in one run. Wall time (hyperfine, median of RUNS)
# and peak RSS (/usr/bin/time). Needs bench/setup.sh to have run.
# PG_URL=postgres://... adds the same collect into an empty PostgreSQL schema
# (created and dropped here; the URL's database must let the role create one).
# Without $BIG (BIG=none) the 1M rows are left out.
set -euo pipefail
B=${B:-/tmp/paperfeed-bench}
RUNS=${RUNS:-3}
SIZES=${SIZES:-"5000 20000 100000"}
BIG=${BIG:-$B/store-1m.db}
PG_URL=${PG_URL:-}
cd "$B/run"
PGS=pfbench_ingest_$$
if [ -n "$PG_URL" ]; then
  sep='?'; case $PG_URL in *\?*) sep='&';; esac
  PGSTORE="$PG_URL${sep}search_path=$PGS"
  trap 'psql -q "$PG_URL" -c "DROP SCHEMA IF EXISTS $PGS CASCADE" 2>/dev/null' EXIT
fi
for n in $SIZES; do
  runs=$RUNS; [ "$n" -ge 100000 ] && runs=1
  collect_config() { # FILE, then the [storage] line
    cat > $1 <<EOT
[server]
listen = "127.0.0.1:18080"
[storage]
$2
[collect]
timeout = "30m"
max_body_bytes = 1073741824
arxiv_api_url = ""
[[source]]
name = "arxiv-bench"
type = "arxiv"
url = "file://$B/feed-$n.xml"
EOT
  }
  collect_config collect-$n.toml 'path = "store.db"'
  cmds=(-n "parse-floor-$n" --prepare true "$B/parsefloor $B/feed-$n.xml"
        -n "collect-empty-$n" --prepare "rm -f store.db store.db-wal store.db-shm" "$B/paperfeed collect -config collect-$n.toml -log-level error")
  if [ -f "$BIG" ]; then
    cmds+=(-n "collect-1m-$n" --prepare "rm -f store.db store.db-wal store.db-shm; cp --sparse=always $BIG store.db; cat store.db > /dev/null" "$B/paperfeed collect -config collect-$n.toml -log-level error")
  fi
  if [ -n "$PG_URL" ]; then
    collect_config collect-pg-$n.toml "url = \"$PGSTORE\""
    reset_pg="psql -q '$PG_URL' -c 'DROP SCHEMA IF EXISTS $PGS CASCADE' -c 'CREATE SCHEMA $PGS' 2>/dev/null"
    cmds+=(-n "collect-empty-pg-$n" --prepare "$reset_pg" "$B/paperfeed collect -config collect-pg-$n.toml -log-level error")
  fi
  echo "== $n papers"
  hyperfine --runs $runs --export-json ingest-$n.json "${cmds[@]}" >/dev/null 2>&1
  python3 -c "import json; [print(\"%-22s median %.2f s  runs %s\" % (r[\"command\"], r[\"median\"], \" \".join(\"%.2f\" % t for t in r[\"times\"]))) for r in json.load(open(\"ingest-$n.json\"))[\"results\"]]"
  /usr/bin/time -f "parse-floor-$n peak RSS %M KB" "$B/parsefloor" "$B/feed-$n.xml" >/dev/null
  rm -f store.db*; /usr/bin/time -f "collect-empty-$n peak RSS %M KB" "$B/paperfeed" collect -config collect-$n.toml -log-level error
  if [ -f "$BIG" ]; then
    rm -f store.db*; cp $BIG store.db; /usr/bin/time -f "collect-1m-$n peak RSS %M KB" "$B/paperfeed" collect -config collect-$n.toml -log-level error
  fi
  if [ -n "$PG_URL" ]; then
    eval "$reset_pg"; /usr/bin/time -f "collect-empty-pg-$n peak RSS %M KB" "$B/paperfeed" collect -config collect-pg-$n.toml -log-level error
  fi
  rm -f store.db*
done
