#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster on 127.0.0.1 and prints its URL on stdout.
#   scripts/postgres-throwaway.sh start [PORT]   # default port 55432; data under /tmp/tally-pg-PORT
#   scripts/postgres-throwaway.sh stop [PORT]
#   scripts/postgres-throwaway.sh resume [PORT]  # starts a stopped cluster again, data kept (outage tests)
# Uses Debian's postgresql package (apt-get install postgresql). As root, the server runs as the postgres user.
set -euo pipefail
action=${1:-start}
port=${2:-55432}
dir=/tmp/tally-pg-$port
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bin" ] || { echo "PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 1; }
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "$action" in
  start)
    # Throwaway means fresh: stop a server an earlier run left in this directory, then start from an empty cluster.
    [ -f "$dir/data/postmaster.pid" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -A trust -U postgres >"$dir/initdb.log" 2>&1
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=300" start >&2
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  resume)
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=300" start >&2
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast stop >&2
    ;;
  *) echo "usage: $0 start|stop|resume [PORT]" >&2; exit 2 ;;
esac
