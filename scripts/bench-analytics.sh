#!/usr/bin/env bash
# Ad analytics load with wrk against a release build of `tally serve`, loopback only, each run bounded by DURATION:
# POST only, GET only and a half/half mix (95% current hour, 5% past hours each), then GET of the current hour at
# its peak and at lower rates, for the p99 target at half the peak rate. wrk is closed-loop (each connection waits
# for its answer), so the lower rates come from fewer connections (2, 4, 8): a pause between requests (wrk's
# delay(), ANALYTICS_DELAY_MS) measured worse, as its timer wake-ups add their own latency.
# Usage: scripts/bench-analytics.sh [sqlite|postgres] [DURATION=10s] [CONNECTIONS=64]
#   postgres: uses TALLY_POSTGRES_URL, or starts a throwaway cluster (scripts/postgres-throwaway.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
backend=${1:-sqlite}
duration=${2:-10s}
connections=${3:-64}
port=${TALLY_BENCH_PORT:-18090}
data=$(mktemp -d)
swift build -c release --product tally >/dev/null
args=(serve --port "$port" --log-level warning)
if [ "$backend" = postgres ]; then
  url=${TALLY_POSTGRES_URL:-$(scripts/postgres-throwaway.sh start 55435)}
  args+=(--postgres "$url" --postgres-schema "bench_$(date +%s)")
else
  args+=(--data-dir "$data")
fi
.build/release/tally "${args[@]}" &
server=$!
trap 'kill -INT $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done

run() {
  local name=$1 mode=$2 conns=${3:-$connections}
  echo "== $backend: $name"
  ANALYTICS_MODE=$mode wrk --latency -t 1 -c "$conns" -d "$duration" \
    -s scripts/load/analytics.lua "http://127.0.0.1:$port" | tee /tmp/tally-wrk.out | grep -E 'Requests/sec|50%|99%|requests in|Non-2xx'
}
run "POST /analytics (95/5 hours)" post
run "GET /analytics (95/5 hours)" get
run "mix: half POST, half GET (95/5 hours)" mix
run "GET /analytics current hour, peak ($connections connections)" get-current
for c in 2 4 8; do run "GET /analytics current hour, $c connections" get-current "$c"; done
