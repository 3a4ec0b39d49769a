#!/usr/bin/env bash
# Proof that several Tally servers on one PostgreSQL agree, by hand:
#   scripts/multi-server-check.sh [EVENTS] [SEED]
# Starts 3 `tally serve --postgres` processes (a throwaway PostgreSQL unless TALLY_POSTGRES_URL is set), sends a
# seeded random mix of ad and watch events from 16 concurrent clients to random servers, starts a 4th server
# halfway, then checks every hour's GET /analytics and every user's and movie's watch time on every server
# against a count of its own. Exit status 0 only if every answer matches. (The same check runs in `swift test`
# as MultiServerTests.)
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-4000}
seed=${2:-7}
swift build -c release --product tally >&2
bin=.build/release/tally
url=${TALLY_POSTGRES_URL:-$(scripts/postgres-throwaway.sh start 55434)}
schema=check_$(date +%s)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done; wait || true; }
trap cleanup EXIT
start() {
  "$bin" serve --postgres "$url" --postgres-schema "$schema" --port "$1" --log-level warning &
  pids+=($!)
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$1/health" >/dev/null && return; sleep 0.1; done
  echo "server on port $1 did not start" >&2; exit 1
}
for port in 18101 18102 18103; do start $port; done
python3 scripts/multi_server_load.py --events "$events" --seed "$seed" --ports 18101,18102,18103 \
  --late-port 18104 --start-late "$bin serve --postgres $url --postgres-schema $schema --port 18104 --log-level warning"
