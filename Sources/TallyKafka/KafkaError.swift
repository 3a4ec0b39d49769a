#if Kafka
    import CRdKafka

    /// A librdkafka failure, with its error name and librdkafka's own message.
    package struct KafkaError: Error, CustomStringConvertible, Sendable {
        package var code: Int32
        package var message: String

        init(_ code: rd_kafka_resp_err_t, _ context: String) {
            self.code = code.rawValue
            self.message = "\(context): \(String(cString: rd_kafka_err2str(code)))"
        }

        init(message: String) {
            self.code = -1
            self.message = message
        }

        package var description: String { message }
    }
#endif
