#if Kafka
import CRdKafka

/// Topic administration through librdkafka's Admin API: creating a topic with a chosen partition count (brokers
/// that auto-create topics give them one partition, and a consumer group can only spread partitions).
public final class KafkaAdmin: @unchecked Sendable {
    private let handle: OpaquePointer

    public init(brokers: String) throws {
        handle = try KafkaClientConfiguration.newClient(
            RD_KAFKA_PRODUCER, try KafkaClientConfiguration(properties: ["bootstrap.servers": brokers]).make())
    }

    deinit { rd_kafka_destroy(handle) }

    /// Creates `topic`; succeeds when it already exists with any partition count only if `ifMissing` is set.
    /// Blocks the calling thread until the broker answers or `timeout` passes.
    public func createTopic(_ topic: String, partitions: Int, replicationFactor: Int = 1, ifMissing: Bool = false,
                            timeout: Duration = .seconds(15)) throws {
        var error = [CChar](repeating: 0, count: 512)
        guard let newTopic = rd_kafka_NewTopic_new(topic, Int32(partitions), Int32(replicationFactor), &error, error.count) else {
            throw KafkaError(message: "topic \(topic): \(String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))")
        }
        defer { rd_kafka_NewTopic_destroy(newTopic) }
        let queue = rd_kafka_queue_new(handle)
        defer { rd_kafka_queue_destroy(queue) }
        let options = rd_kafka_AdminOptions_new(handle, RD_KAFKA_ADMIN_OP_CREATETOPICS)
        defer { rd_kafka_AdminOptions_destroy(options) }
        let milliseconds = Int32(timeout.components.seconds * 1000)
        _ = rd_kafka_AdminOptions_set_operation_timeout(options, milliseconds, &error, error.count)
        var topicList: [OpaquePointer?] = [newTopic]
        rd_kafka_CreateTopics(handle, &topicList, 1, options, queue)
        guard let event = rd_kafka_queue_poll(queue, milliseconds + 1000) else {
            throw KafkaError(message: "creating topic \(topic): no answer from the brokers within \(timeout)")
        }
        defer { rd_kafka_event_destroy(event) }
        let eventError = rd_kafka_event_error(event)
        guard eventError == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(eventError, "creating topic \(topic)") }
        var count = 0
        guard let result = rd_kafka_event_CreateTopics_result(event),
              let topics = rd_kafka_CreateTopics_result_topics(result, &count), count == 1, let first = topics[0] else {
            throw KafkaError(message: "creating topic \(topic): the broker's answer has no result for it")
        }
        let topicError = rd_kafka_topic_result_error(first)
        if topicError == RD_KAFKA_RESP_ERR_NO_ERROR || (ifMissing && topicError == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) { return }
        let message = rd_kafka_topic_result_error_string(first).map { String(cString: $0) } ?? ""
        throw KafkaError(message: "creating topic \(topic): \(message.isEmpty ? KafkaError(topicError, "").description : message)")
    }
}
#endif
