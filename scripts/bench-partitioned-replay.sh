#!/usr/bin/env bash
# Replays frames from a 4-partition topic keyed by user (filled before the consumer starts, so one partition's
# batches arrive far ahead of the others') with `tally count --from … --until-end`, with watermark alignment
# (--max-skew 5m, the default) and without it (--max-skew 100000d), and prints wall time, rate and peak RSS of each;
# both outputs must equal counting the file. Broker: noida-db (pip install noida-db); producer: confluent-kafka.
#   scripts/bench-partitioned-replay.sh hours|year [OPTIONS…]
#     hours: 120,000 frames over 9 hours (the issue's case), --exact --windows hour
#     year:  525,600 frames, one a minute for a year, all six units (HyperLogLog)
set -euo pipefail
kind=${1:-hours}
shift || true
port=${PORT:-19300}
cd "$(dirname "$0")/.."
case "$kind" in
  hours) count=120000; step=0.27; options=(--exact --windows hour) ;;
  year)  count=525600; step=60; options=() ;;
  *) echo "usage: $0 hours|year" >&2; exit 2 ;;
esac
options+=("$@")
frames=/tmp/partitioned-$kind.jsonl
python3 - "$count" "$step" "$frames" <<'PY'
import random, sys
count, step, path = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
random.seed(14)
start = 1_468_244_384
with open(path, "w") as out:
    for i in range(count):
        out.write('{"uid":"u%d","ts":%d,"pad":"%s"}\n' % (random.randrange(20000), start + int(i * step) - random.randrange(3), "x" * 40))
PY
swift build -c release --product tally >&2
brokers=$(scripts/kafka-throwaway.sh start "$port")
trap 'scripts/kafka-throwaway.sh stop '"$port" EXIT
topic=partitioned-$kind-$RANDOM
python3 -c "
from confluent_kafka.admin import AdminClient, NewTopic
admin = AdminClient({'bootstrap.servers': '$brokers'})
futures = admin.create_topics([NewTopic('$topic', num_partitions=4, replication_factor=1)])
[v.result() for v in futures.values()]"
python3 scripts/load/produce_lines.py "$brokers" "$topic" "$frames" uid
.build/release/tally count "$frames" "${options[@]}" 2>/dev/null | sort > "/tmp/partitioned-$kind-file.out"
for skew in 5m 100000d; do
  /usr/bin/time -f "max-skew $skew: %e s wall, %U s user, %M KB max RSS" \
    .build/release/tally count --from "kafka://$brokers/$topic" --group "replay-$skew-$RANDOM" --until-end \
    --max-skew "$skew" "${options[@]}" >"/tmp/partitioned-$kind-$skew.out" 2>"/tmp/partitioned-$kind-$skew.err"
  grep -E "^count summary|^count kafka|^max-skew" "/tmp/partitioned-$kind-$skew.err"
  # Latest revision per window, as in the tests (a partitioned replay closes windows later, so fewer revisions).
  python3 - "/tmp/partitioned-$kind-$skew.out" "/tmp/partitioned-$kind-file.out" <<'PY'
import json, sys
def finals(path):
    out = {}
    for line in open(path):
        r = json.loads(line)
        out[(r["window"], r["start"])] = (r["uniques"], r["frames"])
    return out
a, b = finals(sys.argv[1]), finals(sys.argv[2])
print(f"  {len(a)} windows; final results {'identical to' if a == b else 'DIFFERENT from'} counting the file")
sys.exit(0 if a == b else 1)
PY
done
