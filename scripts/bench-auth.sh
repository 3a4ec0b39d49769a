#!/usr/bin/env bash
# The cost of API keys on POST /heartbeat: interleaved wrk runs against `tally serve --auth off` and
# `tally serve --auth required` with an ingest key (each on a fresh SQLite data dir), ROUNDS times, in alternating
# order, each after a 2 s warm-up; prints requests/s, p50 and the server's CPU time per request (from /proc,
# user + system) per run, then per mode the mean requests/s and CPU time and the median of the rounds' ratios.
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

results=$(mktemp)
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
    wrk -t1 -c "$connections" -d 2s -s "$script" "http://127.0.0.1:$port" >/dev/null
    cpu_before=$(awk '{print $14 + $15}' "/proc/$server/stat")
    result=$(wrk --latency -t1 -c "$connections" -d "$duration" -s "$script" "http://127.0.0.1:$port")
    cpu_after=$(awk '{print $14 + $15}' "/proc/$server/stat")
    requests=$(echo "$result" | grep -E 'requests in' | tr -s ' ' | cut -d' ' -f2)
    stop
    rm -rf "$data"
    echo "round $round auth=$mode $(echo "$result" | grep -E 'Requests/sec' | tr -s ' ') p50 $(echo "$result" | grep -E '^ +50%' | tr -s ' ' | cut -d' ' -f3) non2xx $(echo "$result" | grep -c 'Non-2xx' || true) server_cpu_us_per_request $(( (cpu_after - cpu_before) * 1000000 / $(getconf CLK_TCK) / requests ))"
  done
done | tee "$results"
awk '
  { rps = $5; cpu = $NF; mode = $3; round = $2
    sum[mode] += rps; n[mode]++; cpusum[mode] += cpu; byround[round, mode] = rps; rounds[round] = 1 }
  END {
    for (m in sum) printf "%s: mean %.0f requests/s, %.1f µs server CPU per request\n", m, sum[m] / n[m], cpusum[m] / n[m]
    k = 0
    for (r in rounds) ratio[++k] = byround[r, "auth=required"] / byround[r, "auth=off"] - 1
    for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (ratio[j] < ratio[i]) { t = ratio[i]; ratio[i] = ratio[j]; ratio[j] = t }
    median = (k % 2) ? ratio[(k + 1) / 2] : (ratio[k / 2] + ratio[k / 2 + 1]) / 2
    printf "required vs off: mean %+.1f%%, median of round ratios %+.1f%%\n", (sum["auth=required"] / n["auth=required"]) / (sum["auth=off"] / n["auth=off"]) * 100 - 100, median * 100
  }' "$results"
rm -f "$results"
