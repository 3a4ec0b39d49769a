#!/usr/bin/env python3
"""Memory of a burst of reads of one large open session (docs/performance.md, "Memory bounds").

Usage: scripts/session-read-burst.py PORT PID [READERS]
Fills session `burst` on a running `tally serve` with its start and 99,999 EVENT entries (the 100,000-entry limit) (200-byte names, ~24 MB rendered), then
has READERS (default 32) clients GET /sessions/burst at once, twice, and prints the server's resident memory
(VmRSS) and peak (VmHWM) before and after, from /proc/PID/status.
"""
import http.client, json, sys, threading

port, pid = int(sys.argv[1]), int(sys.argv[2])
readers = int(sys.argv[3]) if len(sys.argv) > 3 else 32


def memory():
    fields = dict(line.split(":", 1) for line in open(f"/proc/{pid}/status"))
    return {k: int(fields[k].split()[0]) // 1024 for k in ("VmRSS", "VmHWM")}


def post(seq, entries):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("POST", "/sessions/burst/events", json.dumps({"seq": seq, "entries": entries}),
                       {"Content-Type": "application/json"})
    response = connection.getresponse()
    body = response.read()
    assert response.status == 202, (response.status, body)


name = "n" * 190
post(1, [{"type": "SESSION_START", "session_id": "burst", "timestamp": 1700000000}])
for seq in range(2, 102):
    post(seq, [{"type": "EVENT", "name": f"{name}{seq:05d}{i:05d}", "timestamp": 1700000000 + i} for i in range(999 if seq == 101 else 1000)])

sizes = []


def read():
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request("GET", "/sessions/burst")
    sizes.append(len(connection.getresponse().read()))


before = memory()
for _ in range(2):
    threads = [threading.Thread(target=read) for _ in range(readers)]
    for thread in threads: thread.start()
    for thread in threads: thread.join()
after = memory()
print(f"readers={readers} bodies={len(sizes)} body_bytes={max(sizes)} "
      f"rss_before_mb={before['VmRSS']} peak_before_mb={before['VmHWM']} "
      f"rss_after_mb={after['VmRSS']} peak_after_mb={after['VmHWM']}")
