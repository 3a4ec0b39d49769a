#if Kafka
    import CRdKafka

    /// A partition of a topic, and a position in it.
    package struct KafkaPartition: Hashable, Sendable, Comparable {
        package var topic: String
        package var partition: Int32

        package init(topic: String, partition: Int32) {
            self.topic = topic
            self.partition = partition
        }

        package static func < (lhs: KafkaPartition, rhs: KafkaPartition) -> Bool {
            (lhs.topic, lhs.partition) < (rhs.topic, rhs.partition)
        }
    }

    /// Messages consumed together. Values are concatenated, each followed by a newline, so that a batch of JSON frames
    /// feeds the line-based scanners directly (one copy, no allocation per message); `records` say where each is.
    package struct KafkaBatch: Sendable {
        package struct Record: Sendable {
            package var partition: KafkaPartition
            package var offset: Int64
            package var key: [UInt8]?
            /// The value's bytes in `values` (without the added newline).
            package var value: Range<Int>
        }

        package var values: [UInt8] = []
        package var records: [Record] = []
        /// For each partition in the batch, the offset to commit once the batch is processed (last offset + 1).
        package var nextOffsets: [KafkaPartition: Int64] = [:]
        /// Partitions whose end was reached (only with `enable.partition.eof=true`).
        package var reachedEnd: Set<KafkaPartition> = []

        package var isEmpty: Bool { records.isEmpty }
    }

    /// One message, borrowed from librdkafka for the duration of a `poll` callback.
    package struct KafkaRecordView {
        package var partition: KafkaPartition
        package var offset: Int64
        package var key: UnsafeRawBufferPointer?
        package var value: UnsafeRawBufferPointer
    }

    /// What a `poll` with a callback saw, besides the messages themselves.
    package struct KafkaPollSummary: Sendable {
        package var records = 0
        /// For each partition polled, the offset to commit once its messages are processed (last offset + 1).
        package var nextOffsets: [KafkaPartition: Int64] = [:]
        /// Partitions whose end was reached (only with `enable.partition.eof=true`).
        package var reachedEnd: Set<KafkaPartition> = []

        package var isEmpty: Bool { records == 0 }
    }

    /// A consumer in a consumer group with manual offset commits (`enable.auto.commit=false`): the caller commits
    /// only what it has processed and made durable. Partitions are assigned by the group (librdkafka's rebalance
    /// protocol); the assignment is served while polling.
    package final class KafkaConsumer: @unchecked Sendable {
        let handle: OpaquePointer
        private let queue: OpaquePointer

        package init(brokers: String, group: String, topics: [String], properties: [String: String] = [:]) throws {
            var settings = [
                "bootstrap.servers": brokers, "group.id": group, "enable.auto.commit": "false",
                "auto.offset.reset": "earliest", "enable.partition.eof": "false",
                // Bounded fetches; the receive limit is set high because some Kafka-compatible brokers answer a fetch
                // with more than `fetch.max.bytes`, which librdkafka would otherwise refuse as a whole.
                "fetch.max.bytes": "52428800", "max.partition.fetch.bytes": "8388608", "receive.message.max.bytes": "1000000000",
            ]
            settings.merge(properties) { $1 }
            let conf = try KafkaClientConfiguration(properties: settings).make()
            handle = try KafkaClientConfiguration.newClient(RD_KAFKA_CONSUMER, conf)
            rd_kafka_poll_set_consumer(handle)
            let list = rd_kafka_topic_partition_list_new(Int32(topics.count))
            defer { rd_kafka_topic_partition_list_destroy(list) }
            for topic in topics { rd_kafka_topic_partition_list_add(list, topic, -1) }
            let error = rd_kafka_subscribe(handle, list)
            guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
                rd_kafka_destroy(handle)
                throw KafkaError(error, "subscribing to \(topics.joined(separator: ","))")
            }
            queue = rd_kafka_queue_get_consumer(handle)
        }

        /// Up to `max` messages, waiting at most `timeout` for the first (0: return what is already fetched). Blocks
        /// the calling thread for up to `timeout`.
        package func poll(max: Int = 10_000, timeout: Duration = .zero) throws -> KafkaBatch {
            var batch = KafkaBatch()
            let summary = try poll(max: max, timeout: timeout) { record in
                let start = batch.values.count
                batch.values.append(contentsOf: record.value)
                batch.records.append(
                    .init(
                        partition: record.partition, offset: record.offset, key: record.key.map(Array.init),
                        value: start..<batch.values.count))
                batch.values.append(0x0A)
            }
            batch.nextOffsets = summary.nextOffsets
            batch.reachedEnd = summary.reachedEnd
            return batch
        }

        /// Like `poll(max:timeout:)`, but hands each message to `visit` while librdkafka still holds it, without
        /// copying: the fastest way to process a replay (the values are valid only during the call).
        package func poll(max: Int = 10_000, timeout: Duration = .zero, _ visit: (KafkaRecordView) throws -> Void) throws
            -> KafkaPollSummary
        {
            var messages = [UnsafeMutablePointer<rd_kafka_message_t>?](repeating: nil, count: max)
            let milliseconds = Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
            let count = rd_kafka_consume_batch_queue(queue, milliseconds, &messages, max)
            guard count >= 0 else { throw KafkaError(rd_kafka_last_error(), "consuming") }
            defer { for message in messages.prefix(count) { if let message { rd_kafka_message_destroy(message) } } }
            var summary = KafkaPollSummary()
            var firstError: KafkaError?
            // Consecutive messages mostly come from one partition: resolve its name and update its offset once per run
            // of messages, not per message (hashing a topic name per message was 8% of a replay's CPU).
            var current: (rkt: OpaquePointer?, id: Int32, partition: KafkaPartition)?
            var currentNext: Int64 = 0
            func finishRun() {
                guard let run = current else { return }
                summary.nextOffsets[run.partition] = currentNext
                summary.reachedEnd.remove(run.partition)
            }
            for message in messages.prefix(count) {
                guard let m = message?.pointee else { continue }
                if m.err == RD_KAFKA_RESP_ERR__PARTITION_EOF {
                    // In order: the end is reached after the messages before it in the batch, not those after it.
                    finishRun()
                    current = nil
                    summary.reachedEnd.insert(KafkaPartition(topic: String(cString: rd_kafka_topic_name(m.rkt)), partition: m.partition))
                    continue
                }
                guard m.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                    if firstError == nil { firstError = KafkaError(m.err, "consuming") }
                    continue
                }
                if current?.rkt != m.rkt || current?.id != m.partition {
                    finishRun()
                    current = (
                        m.rkt, m.partition, KafkaPartition(topic: String(cString: rd_kafka_topic_name(m.rkt)), partition: m.partition)
                    )
                }
                summary.records += 1
                try visit(
                    KafkaRecordView(
                        partition: current!.partition, offset: m.offset,
                        key: m.key.map { UnsafeRawBufferPointer(start: $0, count: m.key_len) },
                        value: m.payload.map { UnsafeRawBufferPointer(start: $0, count: m.len) }
                            ?? UnsafeRawBufferPointer(start: nil, count: 0)))
                currentNext = m.offset + 1
            }
            finishRun()
            if summary.records == 0, let firstError { throw firstError }
            return summary
        }

        /// The next non-empty batch, without blocking a thread of the cooperative pool: polls, and sleeps briefly
        /// while nothing has arrived. Returns an empty batch only when the task is cancelled.
        package func nextBatch(max: Int = 10_000) async throws -> KafkaBatch {
            var idle = 1
            while !Task.isCancelled {
                let batch = try poll(max: max)
                if !batch.isEmpty { return batch }
                try? await Task.sleep(for: .milliseconds(idle))
                idle = min(idle * 2, 20)
            }
            return KafkaBatch()
        }

        /// The partitions currently assigned to this member by the group.
        package func assignment() throws -> Set<KafkaPartition> {
            var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
            let error = rd_kafka_assignment(handle, &list)
            guard error == RD_KAFKA_RESP_ERR_NO_ERROR, let list else { throw KafkaError(error, "reading the assignment") }
            defer { rd_kafka_topic_partition_list_destroy(list) }
            return Set(
                (0..<Int(list.pointee.cnt)).map { index in
                    KafkaPartition(topic: String(cString: list.pointee.elems[index].topic), partition: list.pointee.elems[index].partition)
                })
        }

        /// The partition's first and next-to-be-written offsets as of the last fetch response (librdkafka's cache, no
        /// request to the broker); nil before the first fetch. A processor uses it to tell a partition with records
        /// still to read (not idle, whatever the wall clock says) from one that is caught up.
        package func cachedOffsets(of partition: KafkaPartition) -> (low: Int64, high: Int64)? {
            var low: Int64 = -1
            var high: Int64 = -1
            let error = rd_kafka_get_watermark_offsets(handle, partition.topic, partition.partition, &low, &high)
            guard error == RD_KAFKA_RESP_ERR_NO_ERROR, high >= 0 else { return nil }
            return (max(low, 0), high)
        }

        /// Stops fetching `partitions` until `resume`: watermark alignment holds back a partition read far ahead of
        /// the others. librdkafka drops what it prefetched for them and, on resume, fetches from the next offset the
        /// application has not consumed, so nothing is skipped.
        package func pause(_ partitions: [KafkaPartition]) throws {
            try changePause(partitions, pause: true)
        }

        package func resume(_ partitions: [KafkaPartition]) throws {
            try changePause(partitions, pause: false)
        }

        private func changePause(_ partitions: [KafkaPartition], pause: Bool) throws {
            guard !partitions.isEmpty else { return }
            let list = rd_kafka_topic_partition_list_new(Int32(partitions.count))
            defer { rd_kafka_topic_partition_list_destroy(list) }
            for partition in partitions { rd_kafka_topic_partition_list_add(list, partition.topic, partition.partition) }
            let error = pause ? rd_kafka_pause_partitions(handle, list) : rd_kafka_resume_partitions(handle, list)
            guard error == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(error, pause ? "pausing partitions" : "resuming partitions") }
        }

        /// Leaves the group (its partitions go to the other members at once) and frees the client.
        package func close() {
            _ = rd_kafka_consumer_close(handle)
            rd_kafka_queue_destroy(queue)
            rd_kafka_destroy(handle)
        }
    }
#endif
