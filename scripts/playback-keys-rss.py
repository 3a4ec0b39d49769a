#!/usr/bin/env python3
"""Resident memory of `tally serve` against the number of playback keys (docs/performance.md, "Memory bounds").

Usage: scripts/playback-keys-rss.py PORT PID KEYS
Posts KEYS heartbeats, each a new (user, movie) key (10 movies per user), in NDJSON batches of 5,000 (under the 1 MiB body limit), then prints
the server's VmRSS from /proc/PID/status.
"""
import http.client, sys

port, pid, keys = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
for first in range(0, keys, 5_000):
    lines = "\n".join(
        f'{{"userId":"user_{i // 10:08d}","movieId":"movie_{i % 10}","duration":3600,"position":60,'
        f'"timestamp":"2021-10-26T13:27:00Z"}}' for i in range(first, min(keys, first + 5_000)))
    connection.request("POST", "/heartbeats", lines, {"Content-Type": "application/x-ndjson"})
    response = connection.getresponse()
    body = response.read()
    assert response.status == 202, (response.status, body)
fields = dict(line.split(":", 1) for line in open(f"/proc/{pid}/status"))
print(f"keys={keys} rss_mb={int(fields['VmRSS'].split()[0]) // 1024}")
