#if Kafka
    import CRdKafka

    /// Topic administration through librdkafka's Admin API: creating a topic with a chosen partition count (brokers
    /// that auto-create topics give them one partition, and a consumer group can only spread partitions).
    package final class KafkaAdmin: @unchecked Sendable {
        private let handle: OpaquePointer

        package init(brokers: String) throws {
            handle = try KafkaClientConfiguration.newClient(
                RD_KAFKA_PRODUCER, try KafkaClientConfiguration(properties: ["bootstrap.servers": brokers]).make())
        }

        deinit { rd_kafka_destroy(handle) }

        /// The number of partitions of `topic`, or nil when the brokers do not have it. Blocks until they answer.
        package func partitionCount(of topic: String, timeout: Duration = .seconds(15)) throws -> Int? {
            guard let topicHandle = rd_kafka_topic_new(handle, topic, nil) else {
                throw KafkaError(rd_kafka_last_error(), "topic \(topic)")
            }
            defer { rd_kafka_topic_destroy(topicHandle) }
            var metadata: UnsafePointer<rd_kafka_metadata>?
            let error = rd_kafka_metadata(handle, 0, topicHandle, &metadata, Int32(timeout.components.seconds * 1000))
            guard error == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
                throw KafkaError(error, "reading the metadata of topic \(topic)")
            }
            defer { rd_kafka_metadata_destroy(metadata) }
            for index in 0..<Int(metadata.pointee.topic_cnt) {
                let entry = metadata.pointee.topics[index]
                guard String(cString: entry.topic) == topic else { continue }
                if entry.err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART || entry.err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC { return nil }
                guard entry.err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(entry.err, "reading the metadata of topic \(topic)") }
                return entry.partition_cnt > 0 ? Int(entry.partition_cnt) : nil
            }
            return nil
        }

        /// Creates `topic`; succeeds when it already exists with any partition count only if `ifMissing` is set.
        /// Blocks the calling thread until the broker answers or `timeout` passes.
        package func createTopic(
            _ topic: String, partitions: Int, replicationFactor: Int = 1, ifMissing: Bool = false,
            timeout: Duration = .seconds(15)
        ) throws {
            var error = [CChar](repeating: 0, count: 512)
            guard let newTopic = rd_kafka_NewTopic_new(topic, Int32(partitions), Int32(replicationFactor), &error, error.count) else {
                throw KafkaError(
                    message: "topic \(topic): \(String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))")
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
                let topics = rd_kafka_CreateTopics_result_topics(result, &count), count == 1, let first = topics[0]
            else {
                throw KafkaError(message: "creating topic \(topic): the broker's answer has no result for it")
            }
            let topicError = rd_kafka_topic_result_error(first)
            if topicError == RD_KAFKA_RESP_ERR_NO_ERROR || (ifMissing && topicError == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) { return }
            let message = rd_kafka_topic_result_error_string(first).map { String(cString: $0) } ?? ""
            throw KafkaError(message: "creating topic \(topic): \(message.isEmpty ? KafkaError(topicError, "").description : message)")
        }
    }
#endif
