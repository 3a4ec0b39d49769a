import Foundation
import Testing

#if Kafka
    import TallyKafka
#endif

private let kafkaBrokers = ProcessInfo.processInfo.environment["TALLY_TEST_KAFKA_BROKERS"]

#if Kafka
    /// `tally serve --kafka-brokers … --publish …`: what a client got a 2xx for is in its topic, keyed by user.
    @Suite(
        "Kafka collector", .offCooperativePool, .serialized,
        .enabled(if: kafkaBrokers != nil, "TALLY_TEST_KAFKA_BROKERS is not set; Kafka tests skipped"))
    struct KafkaCollectorTests {
        @Test func acknowledgedEventsAreInTheirTopics() async throws {
            guard let binary = TallyBinary.url else { throw TallyBinary.MissingBinary() }
            let suffix = uniqueName("")
            let heartbeats = "hb-\(suffix)"
            let watches = "watch-\(suffix)"
            let ads = "ads-\(suffix)"
            let data = TemporaryDirectory()
            let port = Int.random(in: 20_000..<50_000)
            let server = try TallyProcess(
                binary: binary, port: port, dataDir: data.path,
                extra: [
                    "--kafka-brokers", kafkaBrokers!, "--publish", "heartbeats=\(heartbeats),watch=\(watches),ads=\(ads)",
                ])
            try await server.waitUntilHealthy()
            let heartbeat = #"{"userId":"u1","movieId":"m","duration":100,"position":5,"timestamp":"2021-10-26T13:27:01Z"}"#
            #expect(try await LoopbackHTTP.post(port: port, "/heartbeat", heartbeat) == 202)
            #expect(
                try await LoopbackHTTP.post(port: port, "/events", #"[{"user":"u2","slug":"s","at":30},{"user":"u3","slug":"s","at":5}]"#)
                    == 202)
            #expect(try await LoopbackHTTP.post(port: port, "/analytics?timestamp=1700000000000&user=u4&click", "") == 204)
            server.kill(signal: SIGTERM)
            #expect(server.wait() == 0)

            let published = try consumeRecords(from: heartbeats, brokers: kafkaBrokers!, count: 1)
            #expect(published.map(\.key) == ["u1"])
            let value = published.first?.value ?? ""
            #expect(
                value.hasPrefix(
                    #"{"userId":"u1","movieId":"m","duration":100,"position":5,"timestamp":"2021-10-26T13:27:01Z","receivedAt":""#))
            #expect(value.hasSuffix(#"Z"}"#))
            #expect(try consumeRecords(from: watches, brokers: kafkaBrokers!, count: 2).map(\.key).sorted() == ["u2", "u3"])
            let ad = try consumeRecords(from: ads, brokers: kafkaBrokers!, count: 1)
            #expect(ad.first?.value == #"{"timestamp":1700000000000,"user":"u4","interaction":"click"}"#)
        }

        /// A broker that is down: nothing is acknowledged (the request fails with 503 once delivery times out).
        @Test func unreachableBrokerMeansNoAcknowledgement() async throws {
            guard let binary = TallyBinary.url else { throw TallyBinary.MissingBinary() }
            let data = TemporaryDirectory()
            let port = Int.random(in: 20_000..<50_000)
            let server = try TallyProcess(
                binary: binary, port: port, dataDir: data.path,
                extra: [
                    "--kafka-brokers", "127.0.0.1:1", "--publish", "heartbeats=nowhere",
                    "--kafka-delivery-timeout", "2s",
                ])
            try await server.waitUntilHealthy()
            let heartbeat = #"{"userId":"u1","movieId":"m","duration":100,"position":5,"timestamp":"2021-10-26T13:27:01Z"}"#
            #expect(try await LoopbackHTTP.post(port: port, "/heartbeat", heartbeat) == 503)
            server.kill(signal: SIGTERM)
            server.wait()
        }
    }
#else
    /// Without the Kafka trait, Kafka options fail with a message that names the trait.
    @Suite("Kafka options without the Kafka trait", .offCooperativePool)
    struct KafkaTraitMissingTests {
        @Test func serveNamesTheTrait() throws {
            let result = try TallyBinary.run(["serve", "--kafka-brokers", "127.0.0.1:9092", "--publish", "heartbeats=t", "--port", "1"])
            #expect(result.status != 0)
            #expect(result.stderr.contains("--traits Kafka"))
        }

        @Test(arguments: [
            ["count", "--from", "kafka://127.0.0.1:9092/frames"], ["resume", "--from", "kafka://127.0.0.1:9092/heartbeats"],
            ["count", "--merge", "--from", "kafka://127.0.0.1:9092/sketches"],
        ])
        func processorsNameTheTrait(arguments: [String]) throws {
            let result = try TallyBinary.run(arguments)
            #expect(result.status != 0)
            #expect(result.stderr.contains("--traits Kafka"), "\(result.stderr)")
        }
    }
#endif
