#if Kafka
    import TallyIO
    import TallyKafka

    /// Where a Kafka processor's results go: a file or stdout, or a Kafka topic (one message per result line, keyed
    /// by the stream's `resultKey`).
    struct KafkaResultOutput {
        let sink: OutputSink?
        let producer: KafkaProducer?
        let topic: String?

        /// Writes (or produces, waiting for the acknowledgements) every complete line of `buffer`, then empties it.
        func emit(_ buffer: inout [UInt8], key: (ArraySlice<UInt8>) -> [UInt8]) async throws {
            guard !buffer.isEmpty else { return }
            defer { buffer.removeAll(keepingCapacity: true) }
            if let sink {
                try sink.write(buffer)
                return
            }
            guard let producer, let topic else { return }
            let messages = buffer.split(separator: 0x0A).map { line in (key: key(line) as [UInt8]?, value: Array(line)) }
            _ = try await producer.send(topic: topic, messages: messages)
        }

        func flush() async throws {
            try sink?.flush()
        }
    }
#endif
