#if Kafka
    /// `kafka://host:port[,host:port…]/topic`, the form `--from` and `--to` take.
    package struct KafkaEndpoint: Hashable, Sendable {
        package var brokers: String
        package var topic: String

        package init(brokers: String, topic: String) {
            self.brokers = brokers
            self.topic = topic
        }

        package init(url: String) throws {
            let prefix = "kafka://"
            guard url.hasPrefix(prefix) else { throw KafkaError(message: "expected kafka://HOST:PORT/TOPIC, got \(url)") }
            let rest = url.dropFirst(prefix.count)
            guard let slash = rest.firstIndex(of: "/") else { throw KafkaError(message: "\(url) names no topic (kafka://HOST:PORT/TOPIC)") }
            let brokers = String(rest[..<slash])
            let topic = String(rest[rest.index(after: slash)...])
            guard !brokers.isEmpty else { throw KafkaError(message: "\(url) names no broker") }
            guard !topic.isEmpty, topic.count <= 249,
                topic.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-") })
            else { throw KafkaError(message: "\(topic) is not a valid topic name (letters, digits, '.', '_', '-', at most 249)") }
            self.init(brokers: brokers, topic: topic)
        }
    }
#endif
