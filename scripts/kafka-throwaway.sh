#!/usr/bin/env bash
# Starts a throwaway Kafka-compatible broker on 127.0.0.1 and prints its bootstrap address on stdout.
#   scripts/kafka-throwaway.sh start [PORT]   # default 19092; data under /tmp/tally-kafka-PORT
#   scripts/kafka-throwaway.sh stop [PORT]
# (noida-db keeps its own `pid` file in its data dir, so the data lives in $dir/data and ours in $dir/broker.pid.)
# The broker is noida-db's (pip install noida-db), which Debian's librdkafka 2.0.2 talks to and which keeps data
# and committed offsets across its restarts (see ../shared/notes/infrastructure.md for the alternatives).
set -euo pipefail
action=${1:-start}
port=${2:-19092}
dir=/tmp/tally-kafka-$port
case "$action" in
  start)
    command -v noida-db >/dev/null || { echo "noida-db is not installed (pip install noida-db)" >&2; exit 1; }
    # A broker an earlier run left on this port must be gone first, or our port check would talk to it while it dies.
    [ -f "$dir/broker.pid" ] && kill -- "-$(cat "$dir/broker.pid")" 2>/dev/null || true
    for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || break; sleep 0.1; done
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "port $port is taken by another process" >&2; exit 1; fi
    # Throwaway means empty: a data dir left by an earlier run would be replayed (noida-db keeps every message).
    rm -rf "$dir"
    mkdir -p "$dir/data"
    setsid nohup noida-db start --only kafka --kafka-port "$port" --data-dir "$dir/data" >"$dir/broker.log" 2>&1 &
    echo $! >"$dir/broker.pid"
    for _ in $(seq 100); do
      kill -0 "$(cat "$dir/broker.pid")" 2>/dev/null || break
      if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        sleep 0.3   # still ours, not a process that exited after failing to bind?
        kill -0 "$(cat "$dir/broker.pid")" 2>/dev/null && { echo "127.0.0.1:$port"; exit 0; }
        break
      fi
      sleep 0.1
    done
    echo "the broker did not start; see $dir/broker.log" >&2; exit 1
    ;;
  stop)
    # The broker runs in a session of its own (setsid): stop the whole group, wrapper and server.
    [ -f "$dir/broker.pid" ] && kill -- "-$(cat "$dir/broker.pid")" 2>/dev/null || true
    ;;
  *) echo "usage: $0 start|stop [PORT]" >&2; exit 2 ;;
esac
