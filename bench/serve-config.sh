# Sourced by serve.sh and serve-miss.sh: writes the serve config of the
# benchmarks to serve.toml in the current folder: a listener on 127.0.0.1:$1,
# the store $2 (a SQLite path, or a postgres:// URL), one tiny source (so the startup collect pass is short) and one
# topic ml (query 'diffusion', 50 items). $3: the file (default serve.toml).
serve_config() {
  [ -f $B/feed-tiny.xml ] || $B/genfeed -from 3000000 -n 10 -out $B/feed-tiny.xml
  local storage="path = \"$2\""
  case $2 in postgres://*|postgresql://*) storage="url = \"$2\"";; esac
  cat > ${3:-serve.toml} <<EOT
[server]
listen = "127.0.0.1:$1"
[storage]
$storage
[collect]
interval = "24h"
[[source]]
name = "tiny"
type = "arxiv"
url = "file://$B/feed-tiny.xml"
[[topic]]
name = "ml"
title = "Diffusion"
query = 'diffusion'
EOT
}
