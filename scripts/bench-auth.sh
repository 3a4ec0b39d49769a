#!/usr/bin/env bash
# The cost of API keys on POST /heartbeat: interleaved wrk runs against `tally serve --auth off` and
# `tally serve --auth required` with an ingest key (each on a fresh SQLite data dir), ROUNDS times, in alternating
# order; prints requests/s, p50 and the server's CPU time per request (from /proc, user + system).
# Usage: scripts/bench-auth.sh [DURATION=10s] [CONNECTIONS=64] [ROUNDS=3]
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10s}
connections=${2:-64}
rounds=${3:-3}
port=${TALLY_BENCH_PORT:-18090}
swift build -c release --product tally >/dev/null

serve() { # MODE DATA
  .build/release/tally serve --port "$port" --data-dir "$2" --auth "$1" --log-level warning &
  server=$!
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
}
stop() { kill -INT "$server"; wait "$server" 2>/dev/null || true; }

for round in $(seq "$rounds"); do
  modes="off required"; [ $((round % 2)) -eq 0 ] && modes="required off"
  for mode in $modes; do
    data=$(mktemp -d)
    if [ "$mode" = required ]; then
      export TALLY_KEY=$(.build/release/tally keys create --scope ingest --data-dir "$data" 2>/dev/null)
      script=scripts/load/heartbeat-auth.lua
    else
      script=scripts/load/heartbeat.lua
    fi
    serve "$mode" "$data"
    cpu_before=$(awk '{print $14 + $15}' "/proc/$server/stat")
    result=$(wrk --latency -t1 -c "$connections" -d "$duration" -s "$script" "http://127.0.0.1:$port")
    cpu_after=$(awk '{print $14 + $15}' "/proc/$server/stat")
    requests=$(echo "$result" | grep -E 'requests in' | tr -s ' ' | cut -d' ' -f2)
    stop
    rm -rf "$data"
    echo "round $round auth=$mode $(echo "$result" | grep -E 'Requests/sec' | tr -s ' ') p50 $(echo "$result" | grep -E '^ +50%' | tr -s ' ' | cut -d' ' -f3) non2xx $(echo "$result" | grep -c 'Non-2xx' || true) server_cpu_us_per_request $(( (cpu_after - cpu_before) * 1000000 / $(getconf CLK_TCK) / requests ))"
  done
done
