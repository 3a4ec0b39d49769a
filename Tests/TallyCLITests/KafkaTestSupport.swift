#if Kafka
import TallyKafka

/// Produces `lines` to `topic`, one message each, in chunks of 2,000; `key` gives a message's key from its index
/// (nil: unkeyed, spread by the partitioner).
func produce(_ lines: [Substring], to topic: String, brokers: String, key: (Int) -> [UInt8]? = { _ in nil }) async throws {
    let producer = try KafkaProducer(brokers: brokers)
    defer { producer.close() }
    for chunk in stride(from: 0, to: lines.count, by: 2_000) {
        let messages = (chunk..<min(chunk + 2_000, lines.count)).map { (key: key($0), value: Array(lines[$0].utf8)) }
        _ = try await producer.send(topic: topic, messages: messages)
    }
}
#endif
