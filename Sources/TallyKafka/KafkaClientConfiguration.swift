#if Kafka
    import CRdKafka
    import Logging

    /// librdkafka properties (`bootstrap.servers`, `enable.idempotence`, …) turned into a `rd_kafka_conf_t`, failing
    /// with the property's name when librdkafka rejects one.
    struct KafkaClientConfiguration {
        var properties: [String: String]

        /// A new configuration object; ownership passes to `rd_kafka_new` (or the caller destroys it on failure).
        func make() throws -> OpaquePointer {
            let conf = rd_kafka_conf_new()!
            rd_kafka_conf_set_log_cb(conf, forwardLog)
            var error = [CChar](repeating: 0, count: 512)
            for (key, value) in properties.sorted(by: { $0.key < $1.key }) {
                let result = rd_kafka_conf_set(conf, key, value, &error, error.count)
                guard result == RD_KAFKA_CONF_OK else {
                    rd_kafka_conf_destroy(conf)
                    throw KafkaError(
                        message:
                            "Kafka setting \(key)=\(value): \(String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))"
                    )
                }
            }
            return conf
        }

        static func newClient(_ type: rd_kafka_type_t, _ conf: OpaquePointer) throws -> OpaquePointer {
            var error = [CChar](repeating: 0, count: 512)
            guard let handle = rd_kafka_new(type, conf, &error, error.count) else {
                rd_kafka_conf_destroy(conf)
                throw KafkaError(
                    message:
                        "creating a Kafka client: \(String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))"
                )
            }
            return handle
        }
    }

    /// librdkafka's own log lines (connection failures, retries), through swift-log instead of raw stderr.
    let kafkaLogger = Logger(label: "tally.kafka")

    private let forwardLog: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Void = {
        _, level, facility, message in
        let text = message.map { String(cString: $0) } ?? ""
        let metadata: Logger.Metadata = ["facility": "\(facility.map { String(cString: $0) } ?? "")"]
        // syslog levels: 0–3 errors, 4 warning, 5–6 notice/info, 7 debug.
        switch level {
        case ...3: kafkaLogger.error("\(text)", metadata: metadata)
        case 4: kafkaLogger.warning("\(text)", metadata: metadata)
        case 5...6: kafkaLogger.info("\(text)", metadata: metadata)
        default: kafkaLogger.debug("\(text)", metadata: metadata)
        }
    }
#endif
