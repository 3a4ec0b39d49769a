#if Kafka
    import Testing
    import TallyKafka

    /// Produces `lines` to `topic`, one message each, in chunks of 2,000; `key` gives a message's key from its index
    /// (nil: unkeyed, spread by the partitioner).
    func produce(_ lines: [Substring], to topic: String, brokers: String, key: (Int) -> [UInt8]? = { _ in nil }) async throws {
        try await produce(values: lines.map { Array($0.utf8) }, to: topic, brokers: brokers, key: key)
    }

    /// Produces each of `values` (any bytes) to `topic` as one message, in chunks of 2,000.
    func produce(values: [[UInt8]], to topic: String, brokers: String, key: (Int) -> [UInt8]? = { _ in nil }) async throws {
        let producer = try KafkaProducer(brokers: brokers)
        defer { producer.close() }
        for chunk in stride(from: 0, to: values.count, by: 2_000) {
            let messages = (chunk..<min(chunk + 2_000, values.count)).map { (key: key($0), value: values[$0]) }
            _ = try await producer.send(topic: topic, messages: messages)
        }
    }

    /// Reads `topic` from its start in a fresh group until `count` records have come or 30 seconds have passed; keys and
    /// values as text, in the order the consumer returned them.
    func consumeRecords(from topic: String, brokers: String, count: Int) throws -> [(key: String, value: String)] {
        let consumer = try KafkaConsumer(
            brokers: brokers, group: "read-\(topic)", topics: [topic], properties: ["session.timeout.ms": "6000"])
        defer { consumer.close() }
        var records: [(key: String, value: String)] = []
        let deadline = ContinuousClock.now + .seconds(30)
        while records.count < count, ContinuousClock.now < deadline {
            let batch = try consumer.poll(timeout: .milliseconds(200))
            records += batch.records.map {
                (String(decoding: $0.key ?? [], as: UTF8.self), String(decoding: batch.values[$0.value], as: UTF8.self))
            }
        }
        return records
    }

    /// Runs `tally COMMAND --from SOURCE OPTIONS` twice in fresh groups: once uninterrupted (the reference), once with a
    /// checkpoint, killed with SIGKILL mid-run and restarted (`killOnceAndRestart`). Returns the reference's stdout and
    /// both killed runs' stdout concatenated.
    func referenceAndKilledRuns(_ command: String, from source: String, options: [String], directory: TemporaryDirectory)
        throws -> (reference: String, combined: String)
    {
        let reference = try TallyBinary.run([command, "--from", source, "--group", uniqueName("reference-")] + options)
        #expect(reference.status == 0)
        let checkpoint = directory.path + "/\(command).checkpoint"
        let arguments =
            [
                command, "--from", source, "--group", uniqueName("killed-"), "--checkpoint", checkpoint,
                "--checkpoint-interval", "100ms",
            ] + options
        let (combined, second) = try killOnceAndRestart(arguments, checkpoint: checkpoint, directory: directory)
        #expect(second.stderr.contains("resuming from \(checkpoint)"))
        return (reference.stdout, combined)
    }
#endif
