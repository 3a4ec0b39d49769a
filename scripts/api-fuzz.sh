#!/usr/bin/env bash
# Runs schemathesis (PyPI) against a real `tally serve` with the served OpenAPI document: no 5xx, every response and
# its headers as documented, valid data accepted and invalid data refused (exceptions in api-fuzz/schemathesis.toml).
# Usage: scripts/api-fuzz.sh [MAX_EXAMPLES=30]   TALLY_BIN=path runs that binary (default: a debug build).
set -euo pipefail
cd "$(dirname "$0")/.."
examples=${1:-30}
port=${TALLY_FUZZ_PORT:-18093}
bin=${TALLY_BIN:-}
if [ -z "$bin" ]; then
  swift build --product tally >/dev/null
  bin=.build/debug/tally
fi
data=$(mktemp -d)
"$bin" serve --port "$port" --data-dir "$data" --log-level warning &
server=$!
trap 'kill -INT $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
base="http://127.0.0.1:$port"
# Data for the read routes to find (schemathesis then reaches past their 404s).
curl -sf -X POST "$base/heartbeats" -H 'Content-Type: application/json' -d '[
  {"userId":"0","movieId":"0","duration":100,"position":10,"timestamp":"2021-10-26T13:00:05Z"},
  {"userId":"1","movieId":"0","duration":100,"position":10,"timestamp":"2021-10-26T13:01:15Z"},
  {"userId":"2","movieId":"0","duration":100,"position":10,"timestamp":"2021-10-26T13:03:00Z"}]' >/dev/null
curl -sf -X POST "$base/sessions/0/events" -H 'Content-Type: application/json' \
  -d '[{"type":"SESSION_START","session_id":"0","timestamp":100},{"type":"EVENT","name":"play","timestamp":110}]' >/dev/null
curl -sf -X POST "$base/sessions/1/events" -H 'Content-Type: application/json' \
  -d '[{"type":"SESSION_START","session_id":"1","timestamp":100},{"type":"SESSION_END","session_id":"1","timestamp":120}]' >/dev/null
# One worker: CPython 3.11's ast.parse, which hypothesis uses to describe its strategies, is not safe across
# threads ("AST constructor recursion depth mismatch").
schemathesis --config-file scripts/api-fuzz/schemathesis.toml run "$base/openapi.json" \
  --checks all --max-examples "$examples" --workers 1 --seed 1 --request-timeout 15 --no-color
