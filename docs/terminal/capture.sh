#!/usr/bin/env bash
# Run session.sh in a tmux terminal of 60 and 120 columns and keep what the screen showed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
for cols in 60 120; do
  tmux kill-session -t "watcher-$cols" 2>/dev/null || true
  tmux new-session -d -s "watcher-$cols" -x "$cols" -y 50 "bash $here/session.sh; echo; echo '[end]'; sleep 600"
  for _ in $(seq 120); do
    sleep 1
    tmux capture-pane -p -t "watcher-$cols" -S - | grep -q '^\[end\]' && break
  done
  tmux capture-pane -p -t "watcher-$cols" -S - | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' > "$here/session-$cols.txt"
  tmux kill-session -t "watcher-$cols"
done
