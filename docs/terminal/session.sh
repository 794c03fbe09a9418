#!/usr/bin/env bash
# The main flows of docs/cli.md, as a new user runs them; `capture.sh` records this at 60 and
# 120 columns with tmux. Needs `watcher` on PATH; works in a throw-away folder, never the network.
set -u
demo=$(mktemp -d)
mkdir -p "$demo/replay"
cat > "$demo/watcher.toml" <<TOML
timezone = "Europe/Berlin"
default_providers = ["replay"]
database_url = "sqlite:///$demo/watcher.db"
[providers.replay]
path = "replay"
TOML
cat > "$demo/replay/LP00123456789012.json" <<JSON
{"events": [
 {"time": "2026-10-02T08:00:00+08:00", "description": "Accepted by carrier", "location": "Shenzhen, CN"},
 {"time": "2026-10-05T23:10:00+08:00", "description": "Departed from origin country", "location": "Shenzhen, CN"}]}
JSON
cat > "$demo/replay/RR123456785CN.json" <<JSON
{"events": [
 {"time": "2026-11-10T09:00:00+08:00", "description": "Accepted by carrier", "location": "Yiwu, CN"},
 {"time": "2026-11-20T14:00:00+01:00", "description": "Arrived at destination country", "location": "Frankfurt, DE"},
 {"time": "2026-11-26T08:30:00+01:00", "description": "Out for delivery", "location": "Berlin, DE"}]}
JSON
export WATCHER_CONFIG="$demo/watcher.toml" COLUMNS
step() { printf '\n$ %s\n' "${*@Q}" | sed "s/'\([A-Za-z0-9_./-]*\)'/\1/g"; "$@"; }
step watcher add LP00123456789012 --label "USB hub, 7 ports, aluminium" --ordered-at 2026-09-28 --protection-days 8 --country DE
step watcher add "https://t.17track.net/en#nums=RR123456785CN" --label "Desk lamp" --country DE
step watcher check
step watcher list
step watcher show LP00123456789012
step watcher case LP00123456789012 seller-contacted --note "asked for news in the order chat"
step watcher case LP00123456789012
step watcher received RR123456785CN
step watcher alerts
step watcher status
rm -rf "$demo"
