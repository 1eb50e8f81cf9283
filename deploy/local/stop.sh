#!/usr/bin/env bash
# Stops the services started by run.sh (PostgreSQL and RabbitMQ keep running).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
quiet="${1:-}"
for pidfile in "$root"/.local/pids/*.pid; do
  [ -f "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
    [ "$quiet" = "--quiet" ] || echo "stopped $(basename "$pidfile" .pid)"
  fi
  rm -f "$pidfile" "${pidfile%.pid}.environ" "${pidfile%.pid}.cmdline"
done
