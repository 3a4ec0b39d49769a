#!/usr/bin/env bash
# Ingest load test: GET /health (reference), POST /heartbeat, POST /heartbeats (1,000 per request) against a release
# build of `tally serve` on a fresh SQLite data dir, loopback only, each run bounded by DURATION.
# Usage: scripts/bench-ingest.sh [DURATION=10s] [CONNECTIONS=64] [THREADS=1]
# TALLY_BIN=path runs that binary instead of building the release one (to compare two builds).
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10s}
connections=${2:-64}
threads=${3:-1}
port=${TALLY_BENCH_PORT:-18080}
data=$(mktemp -d)
bin=${TALLY_BIN:-}
if [ -z "$bin" ]; then
  swift build -c release --product tally >/dev/null
  bin=.build/release/tally
fi
"$bin" serve --port "$port" --data-dir "$data" --log-level warning &
server=$!
trap 'kill -INT $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done

run() {
  echo "== $1"
  shift
  wrk --latency -t "$threads" -c "$connections" -d "$duration" "$@" | grep -E 'Requests/sec|Latency |50%|99%|requests in|Non-2xx'
}
run "GET /health" "http://127.0.0.1:$port/health"
run "POST /heartbeat" -s scripts/load/heartbeat.lua "http://127.0.0.1:$port"
run "POST /heartbeats (1,000 per request)" -c 8 -s scripts/load/heartbeats-batch.lua "http://127.0.0.1:$port"
run "GET /movies/movie_7/watch-time (in-memory read)" "http://127.0.0.1:$port/movies/movie_7/watch-time"
echo "== stored"
curl -s "http://127.0.0.1:$port/metrics" | grep -E '^tally_events_accepted_total|^tally_commit_batch_events_(sum|count)'
