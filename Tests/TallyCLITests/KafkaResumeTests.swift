#if Kafka
    import Foundation
    import Testing
    import TallyKafka

    private let kafkaBrokers = ProcessInfo.processInfo.environment["TALLY_TEST_KAFKA_BROKERS"]

    /// `tally resume --from kafka://…`: heartbeats a collector published come out as the same resume arrays as from a
    /// file, and a processor killed with SIGKILL and restarted from its group and checkpoint loses and repeats nothing.
    @Suite(
        "tally resume from Kafka", .offCooperativePool, .serialized,
        .enabled(if: kafkaBrokers != nil, "TALLY_TEST_KAFKA_BROKERS is not set; Kafka tests skipped"))
    struct KafkaResumeTests {
        static func heartbeats(users: Int, seconds: Int, directory: TemporaryDirectory) throws -> (file: String, lines: [String]) {
            let file = directory.path + "/heartbeats.jsonl"
            let generated = try TallyBinary.run([
                "generate", "heartbeats", "--users", "\(users)", "--duration", "\(seconds)",
                "--late-fraction", "0.05", "--max-delay", "20", "--seed", "5", "-o", file,
            ])
            #expect(generated.status == 0)
            return (file, try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").map(String.init))
        }

        /// The brief's pipeline: clients → `tally serve --publish heartbeats=T` → topic → `tally resume --from`.
        @Test func collectorToProcessorGivesTheSameArraysAsTheFile() async throws {
            guard let binary = TallyBinary.url else { throw TallyBinary.MissingBinary() }
            let directory = TemporaryDirectory()
            let (file, lines) = try Self.heartbeats(users: 60, seconds: 300, directory: directory)
            let topic = uniqueName("heartbeats-")
            let port = Int.random(in: 20_000..<50_000)
            let server = try TallyProcess(
                binary: binary, port: port, dataDir: directory.path + "/data",
                extra: [
                    "--kafka-brokers", kafkaBrokers!, "--publish", "heartbeats=\(topic)",
                ])
            try await server.waitUntilHealthy()
            for chunk in stride(from: 0, to: lines.count, by: 500) {
                let body = "[" + lines[chunk..<min(chunk + 500, lines.count)].joined(separator: ",") + "]"
                #expect(try await LoopbackHTTP.post(port: port, "/heartbeats", body) == 202)
            }
            server.kill(signal: SIGTERM)
            #expect(server.wait() == 0)

            let options = ["--lateness", "10s", "--late", "emit"]
            let fromKafka = try TallyBinary.run(
                ["resume", "--from", "kafka://\(kafkaBrokers!)/\(topic)", "--group", uniqueName("same-"), "--until-end"] + options)
            #expect(fromKafka.status == 0, "\(fromKafka.stderr)")
            let fromFile = try TallyBinary.run(["resume", file] + options)
            #expect(fromKafka.stdout == fromFile.stdout)
            #expect(fromFile.stdout.split(separator: "\n").count > 250)
            #expect(fromKafka.stderr.contains("lines=\(lines.count) events=\(lines.count) invalid=0"), "\(fromKafka.stderr)")
        }

        /// `--to`: one message per array, keyed by user id.
        @Test func arraysToATopicKeyedByUser() async throws {
            let directory = TemporaryDirectory()
            let (file, lines) = try Self.heartbeats(users: 20, seconds: 120, directory: directory)
            let topic = uniqueName("heartbeats-")
            try await produce(lines.map { $0[...] }, to: topic, brokers: kafkaBrokers!)
            let output = topic + "-arrays"
            let run = try TallyBinary.run([
                "resume", "--from", "kafka://\(kafkaBrokers!)/\(topic)", "--to", "kafka://\(kafkaBrokers!)/\(output)",
                "--group", uniqueName("to-"), "--until-end",
            ])
            #expect(run.status == 0, "\(run.stderr)")
            let expected = try TallyBinary.run(["resume", file]).stdout.split(separator: "\n").map(String.init)
            let results = try consumeRecords(from: output, brokers: kafkaBrokers!, count: expected.count)
            #expect(results.map(\.value) == expected)
            for (key, value) in results {
                #expect(value.hasPrefix(#"[{"userId":"\#(key)","#), "key \(key) for \(value)")
            }
        }

        @Test func killedProcessorResumesExactly() async throws {
            let directory = TemporaryDirectory()
            let (_, lines) = try Self.heartbeats(users: 400, seconds: 900, directory: directory)
            let topic = uniqueName("heartbeats-")
            try await produce(lines.map { $0[...] }, to: topic, brokers: kafkaBrokers!)
            let source = "kafka://\(kafkaBrokers!)/\(topic)"
            let (reference, combined) = try referenceAndKilledRuns(
                "resume", from: source, options: ["--until-end", "--late", "emit"], directory: directory)
            let expected = reference.split(separator: "\n")
            #expect(Set(combined.split(separator: "\n")) == Set(expected))
            #expect(combined.split(separator: "\n").count < expected.count * 2)
            #expect(expected.count > 5_000)
        }
    }
#endif
