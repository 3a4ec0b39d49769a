#!/usr/bin/env python3
"""Resident memory of `tally serve` against the number of playback keys (docs/performance.md, "Memory bounds").

Usage: scripts/playback-keys-rss.py PORT PID KEYS [same-minute|minute-per-batch]
Posts KEYS heartbeats, each a new (user, movie) key (10 movies per user), in NDJSON batches of 5,000 (under the 1 MiB
body limit), then prints the server's VmRSS from /proc/PID/status.

same-minute (the default, as in the first baseline) stamps every heartbeat 2021-10-26T13:27:00Z, so every user stays
in one open resume window; minute-per-batch moves each batch a minute on, so resume windows close as in a live
service and memory shows what playback keys alone cost.
"""
import http.client, sys, time
from datetime import datetime, timedelta, timezone

port, pid, keys = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
spread = len(sys.argv) > 4 and sys.argv[4] == "minute-per-batch"
base = datetime(2021, 10, 26, 13, 27, tzinfo=timezone.utc)
connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
started = time.monotonic()
for first in range(0, keys, 5_000):
    at = (base + timedelta(minutes=first // 5_000 if spread else 0)).strftime("%Y-%m-%dT%H:%M:%SZ")
    lines = "\n".join(
        f'{{"userId":"user_{i // 10:08d}","movieId":"movie_{i % 10}","duration":3600,"position":60,'
        f'"timestamp":"{at}"}}' for i in range(first, min(keys, first + 5_000)))
    connection.request("POST", "/heartbeats", lines, {"Content-Type": "application/x-ndjson"})
    response = connection.getresponse()
    body = response.read()
    assert response.status == 202, (response.status, body)
elapsed = time.monotonic() - started
fields = dict(line.split(":", 1) for line in open(f"/proc/{pid}/status"))
print(f"keys={keys} rss_mb={int(fields['VmRSS'].split()[0]) // 1024} seconds={elapsed:.1f} events_per_s={keys / max(elapsed, 1e-9):.0f}")
