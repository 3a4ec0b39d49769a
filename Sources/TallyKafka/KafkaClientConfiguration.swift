import CRdKafka

/// librdkafka properties (`bootstrap.servers`, `enable.idempotence`, …) turned into a `rd_kafka_conf_t`, failing
/// with the property's name when librdkafka rejects one.
struct KafkaClientConfiguration {
    var properties: [String: String]

    /// A new configuration object; ownership passes to `rd_kafka_new` (or the caller destroys it on failure).
    func make() throws -> OpaquePointer {
        let conf = rd_kafka_conf_new()!
        var error = [CChar](repeating: 0, count: 512)
        for (key, value) in properties.sorted(by: { $0.key < $1.key }) {
            let result = rd_kafka_conf_set(conf, key, value, &error, error.count)
            guard result == RD_KAFKA_CONF_OK else {
                rd_kafka_conf_destroy(conf)
                throw KafkaError(message: "Kafka setting \(key)=\(value): \(String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))")
            }
        }
        return conf
    }

    static func newClient(_ type: rd_kafka_type_t, _ conf: OpaquePointer) throws -> OpaquePointer {
        var error = [CChar](repeating: 0, count: 512)
        guard let handle = rd_kafka_new(type, conf, &error, error.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError(message: "creating a Kafka client: \(String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))")
        }
        return handle
    }
}
