#if Kafka
    import Foundation
    import Testing
    import TallyKafka
    import TallyTestSupport

    /// The brokers the Kafka tests use (CI starts one on 127.0.0.1 and sets it); unset, they are skipped.
    let kafkaBrokers = ProcessInfo.processInfo.environment["TALLY_TEST_KAFKA_BROKERS"]

    func freshTopic(_ prefix: String) -> String { uniqueName(prefix + "-") }

    @Suite("Kafka client", .serialized, .enabled(if: kafkaBrokers != nil, "TALLY_TEST_KAFKA_BROKERS is not set; Kafka tests skipped"))
    struct KafkaClientTests {
        let consumerSettings = ["session.timeout.ms": "6000", "heartbeat.interval.ms": "1000"]

        /// Everything produced comes back, with its key, in offset order per partition; delivery reports carry the
        /// offsets the consumer sees.
        @Test func producedMessagesAreConsumed() async throws {
            let topic = freshTopic("roundtrip")
            let producer = try KafkaProducer(brokers: kafkaBrokers!)
            let messages = (0..<200).map { (key: Array("user\($0 % 7)".utf8) as [UInt8]?, value: Array(#"{"n":\#($0)}"#.utf8)) }
            let reports = try await producer.send(topic: topic, messages: messages)
            producer.close()
            #expect(reports.count == 200)

            let consumer = try KafkaConsumer(
                brokers: kafkaBrokers!, group: freshTopic("group"), topics: [topic], properties: consumerSettings)
            var seen: [String: String] = [:]
            var offsets: [Int64] = []
            var orderPerKey: [String: [Int]] = [:]
            while seen.count < 200 {
                let batch = try await withTimeout(.seconds(30)) { try await consumer.nextBatch() }
                for record in batch.records {
                    let value = String(decoding: batch.values[record.value], as: UTF8.self)
                    let key = String(decoding: record.key ?? [], as: UTF8.self)
                    seen[value] = key
                    offsets.append(record.offset)
                    orderPerKey[key, default: []].append(Int(value.dropFirst(5).dropLast())!)
                }
                #expect(batch.values.filter { $0 == 0x0A }.count == batch.records.count)
            }
            consumer.close()
            #expect(seen[#"{"n":13}"#] == "user6")
            #expect(Set(offsets) == Set(reports.map(\.offset)))
            // One send keeps the input order of each key's messages (results and their revisions rely on it).
            #expect(orderPerKey.count == 7)
            for (key, numbers) in orderPerKey { #expect(numbers == numbers.sorted(), "\(key)") }
            #expect(reports.map(\.offset) == reports.map(\.offset).sorted())
        }

        /// A consumer that committed part of a topic and left is followed by one of the same group that starts right
        /// after the committed offset: nothing committed is delivered again, nothing after it is skipped.
        @Test func committedOffsetsAreWhereTheGroupResumes() async throws {
            let topic = freshTopic("commit")
            let group = freshTopic("group")
            let producer = try KafkaProducer(brokers: kafkaBrokers!)
            _ = try await producer.send(topic: topic, messages: (0..<50).map { (key: nil, value: Array("m\($0)".utf8)) })
            producer.close()

            let first = try KafkaConsumer(brokers: kafkaBrokers!, group: group, topics: [topic], properties: consumerSettings)
            let batch = try await withTimeout(.seconds(30)) { try await first.nextBatch(max: 20) }
            let partition = batch.records[0].partition
            let consumed = batch.records.count
            let firstValues = batch.records.map { String(decoding: batch.values[$0.value], as: UTF8.self) }
            try first.commit(batch.nextOffsets)
            #expect(try first.committed([partition])[partition]?.offset == Int64(consumed))
            first.close()

            let second = try KafkaConsumer(brokers: kafkaBrokers!, group: group, topics: [topic], properties: consumerSettings)
            // The same through the consumer's AsyncSequence of messages.
            let (rest, restOffsets) = try await withTimeout(.seconds(30)) {
                var values: [String] = []
                var offsets: [Int64] = []
                for try await message in second.messages {
                    values.append(String(decoding: message.value, as: UTF8.self))
                    offsets.append(message.offset)
                    if values.count == 50 - consumed { break }
                }
                return (values, offsets)
            }
            second.close()
            // (The 50 sends run concurrently, so their order in the topic is not their numbering.)
            #expect(restOffsets == (Int64(consumed)..<50).map { $0 })
            #expect(Set(rest + firstValues) == Set((0..<50).map { "m\($0)" }))
        }

        @Test func badSettingIsAClearError() {
            #expect(throws: KafkaError.self) { try KafkaProducer(brokers: kafkaBrokers!, properties: ["no.such.setting": "1"]) }
            do {
                _ = try KafkaProducer(brokers: kafkaBrokers!, properties: ["no.such.setting": "1"])
            } catch {
                #expect("\(error)".contains("no.such.setting"))
            }
        }

        /// A topic created with three partitions spreads keyed messages over all three; creating it again fails unless
        /// `ifMissing`.
        @Test func createdTopicHasItsPartitions() async throws {
            let topic = freshTopic("created")
            let admin = try KafkaAdmin(brokers: kafkaBrokers!)
            try admin.createTopic(topic, partitions: 3)
            #expect(throws: KafkaError.self) { try admin.createTopic(topic, partitions: 3) }
            try admin.createTopic(topic, partitions: 3, ifMissing: true)
            let producer = try KafkaProducer(brokers: kafkaBrokers!)
            let reports = try await producer.send(topic: topic, messages: (0..<60).map { (Array("user\($0)".utf8), Array("v".utf8)) })
            producer.close()
            #expect(Set(reports.map(\.partition)) == [0, 1, 2])
        }

        @Test func endpointURLs() throws {
            #expect(
                try KafkaEndpoint(url: "kafka://127.0.0.1:9092,b:9093/frames")
                    == KafkaEndpoint(brokers: "127.0.0.1:9092,b:9093", topic: "frames"))
            #expect(throws: KafkaError.self) { try KafkaEndpoint(url: "kafka://127.0.0.1:9092") }
            #expect(throws: KafkaError.self) { try KafkaEndpoint(url: "http://x/y") }
            #expect(throws: KafkaError.self) { try KafkaEndpoint(url: "kafka://h:1/bad topic") }
        }
    }

    struct TimedOut: Error {}

    /// Runs `body`, failing with `TimedOut` after `limit` (a broker that never answers must not hang the suite).
    func withTimeout<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: limit)
                throw TimedOut()
            }
            let first = try await group.next()!
            group.cancelAll()
            return first
        }
    }
#else
    import Testing

    @Suite("Kafka client", .disabled("built without the Kafka trait; run swift test --traits Kafka with TALLY_TEST_KAFKA_BROKERS set"))
    struct KafkaClientTests {
        @Test func needsTheKafkaTrait() {}
    }
#endif
