"""Produces every line of a file as one Kafka message, for replay benchmarks.

    python3 scripts/load/produce_lines.py BROKERS TOPIC FILE [KEY_FIELD]

With KEY_FIELD (e.g. uid), each message is keyed by that top-level string member, so one user's lines share a
partition, as a collector publishes them; without it messages have no key.

Uses confluent-kafka (pip install confluent-kafka), whose bundled librdkafka 2.16 also talks to Tansu.
"""
import sys
import time

from confluent_kafka import Producer

brokers, topic, path = sys.argv[1:4]
key_marker = (b'"' + sys.argv[4].encode() + b'":"') if len(sys.argv) > 4 else None


def key_of(line):
    if key_marker is None:
        return None
    start = line.find(key_marker)
    if start < 0:
        return None
    start += len(key_marker)
    return line[start:line.index(b'"', start)]


producer = Producer({
    "bootstrap.servers": brokers, "linger.ms": 20, "batch.size": 4 * 1024 * 1024,
    "queue.buffering.max.messages": 200000, "queue.buffering.max.kbytes": 2 * 1024 * 1024, "acks": "all",
    "message.max.bytes": 10 * 1024 * 1024,  # record batches up to batch.size, not 1 MB: fewer, larger fetch units
})
count, started = 0, time.time()
with open(path, "rb") as lines:
    for line in lines:
        while True:
            try:
                producer.produce(topic, line.rstrip(b"\n"), key=key_of(line))
                break
            except BufferError:  # the local queue is full: let deliveries drain it
                producer.poll(0.05)
        count += 1
        if count % 10000 == 0:
            producer.poll(0)
unsent = producer.flush(120)
print(f"produced {count} messages to {topic} in {time.time() - started:.1f} s; unsent {unsent}", file=sys.stderr)
sys.exit(1 if unsent else 0)
