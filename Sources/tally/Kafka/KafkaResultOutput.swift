#if Kafka
    import TallyCore
    import TallyIO
    import TallyKafka

    /// Where a Kafka processor's results go: a file or stdout, or a Kafka topic (one message per result, with the key
    /// the stream gave it).
    struct KafkaResultOutput {
        let sink: OutputSink?
        let producer: KafkaProducer?
        let topic: String?

        /// Writes (or produces, waiting for the acknowledgements) every result in `buffer`, then empties it.
        func emit(_ buffer: inout ResultBuffer) async throws {
            guard !buffer.isEmpty else { return }
            defer { buffer.removeAll() }
            if let sink {
                try sink.write(buffer.text)
                return
            }
            guard let producer, let topic else { return }
            let messages = buffer.map { (key: Array($0.key) as [UInt8]?, value: Array($0.text)) }
            _ = try await producer.send(topic: topic, messages: messages)
        }

        func flush() async throws {
            try sink?.flush()
        }
    }
#endif
