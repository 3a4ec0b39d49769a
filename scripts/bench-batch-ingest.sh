#!/usr/bin/env bash
# Batch ingest (issue 18, point 4): POST /heartbeats with 1,000 heartbeats per request, the all-late bodies then the
# in-order ones, each on a fresh SQLite data dir, wrk and the server on the same machine.
# Usage: scripts/bench-batch-ingest.sh [DURATION=6s] [CONNECTIONS=8] [ROUNDS=1]
# TALLY_BIN=path runs that binary instead of building the release one (to interleave two builds).
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-6s}
connections=${2:-8}
rounds=${3:-1}
port=${TALLY_BENCH_PORT:-18090}
bin=${TALLY_BIN:-}
if [ -z "$bin" ]; then
  swift build -c release --product tally >/dev/null
  bin=.build/release/tally
fi
for _ in $(seq "$rounds"); do
  for script in heartbeats-batch heartbeats-batch-in-order; do
    data=$(mktemp -d)
    "$bin" serve --port "$port" --data-dir "$data" --log-level warning &
    server=$!
    for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
    printf '%s: ' "$script"
    wrk -t1 -c"$connections" -d"$duration" -s "scripts/load/$script.lua" "http://127.0.0.1:$port" | grep -E 'Requests/sec|Non-2xx' | tr '\n' ' '
    curl -s "http://127.0.0.1:$port/metrics" | grep -E '^tally_commit_batch_events_(sum|count)' | tr '\n' ' '
    echo
    kill -INT "$server"
    wait "$server" || true
    rm -rf "$data"
  done
done
