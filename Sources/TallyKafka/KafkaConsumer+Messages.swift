#if Kafka
    /// One consumed message, owned (copied out of librdkafka).
    package struct KafkaMessage: Sendable, Hashable {
        package var partition: KafkaPartition
        package var offset: Int64
        package var key: [UInt8]?
        package var value: [UInt8]
    }

    extension KafkaConsumer {
        /// The messages of the subscribed topics, as they arrive, as an `AsyncSequence`; it ends when the consuming
        /// task is cancelled. Commit with `commit(_:)` once a message's effects are durable (nothing is auto-committed).
        /// Processors that need speed use `poll(max:timeout:_:)`, which reads messages in place.
        package var messages: Messages { Messages(consumer: self) }

        package struct Messages: AsyncSequence, Sendable {
            package typealias Element = KafkaMessage
            let consumer: KafkaConsumer

            package func makeAsyncIterator() -> Iterator { Iterator(consumer: consumer) }

            package struct Iterator: AsyncIteratorProtocol {
                let consumer: KafkaConsumer
                var pending: [KafkaMessage] = []
                var index = 0

                package mutating func next() async throws -> KafkaMessage? {
                    if index == pending.count {
                        let batch = try await consumer.nextBatch()
                        guard !batch.isEmpty else { return nil }
                        pending = batch.records.map {
                            KafkaMessage(partition: $0.partition, offset: $0.offset, key: $0.key, value: Array(batch.values[$0.value]))
                        }
                        index = 0
                    }
                    defer { index += 1 }
                    return pending[index]
                }
            }
        }
    }
#endif
