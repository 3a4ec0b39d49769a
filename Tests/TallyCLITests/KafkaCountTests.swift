#if Kafka
    import Foundation
    import Testing
    import TallyKafka

    private let kafkaBrokers = ProcessInfo.processInfo.environment["TALLY_TEST_KAFKA_BROKERS"]

    /// `tally count --from kafka://…`: the same answers as from a file, and a processor killed with SIGKILL and
    /// restarted from its group and checkpoint neither loses nor double-counts a window.
    @Suite(
        "tally count from Kafka", .offCooperativePool, .serialized,
        .enabled(if: kafkaBrokers != nil, "TALLY_TEST_KAFKA_BROKERS is not set; Kafka tests skipped"))
    struct KafkaCountTests {
        /// Generates frames, produces them to a fresh topic, and returns the topic and the frames' file.
        static func topicWithFrames(count: Int, directory: TemporaryDirectory) async throws -> (topic: String, file: String) {
            let file = directory.path + "/frames.jsonl"
            let generated = try TallyBinary.run(["generate", "frames", "-c", "\(count)", "-r", "500", "-n", "3000", "-s", "11", "-o", file])
            #expect(generated.status == 0)
            let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
            let topic = uniqueName("frames-")
            try await produce(lines, to: topic, brokers: kafkaBrokers!)
            return (topic, file)
        }

        /// The final result of every window: the last line for each (window, start).
        static func finals(_ output: String) -> [String: String] {
            var finals: [String: String] = [:]
            for line in output.split(separator: "\n") {
                guard let window = line.firstRange(of: #""start":""#).map({ String(line[..<line.index($0.upperBound, offsetBy: 20)]) })
                else { continue }
                // Drop the revision and final flag: a re-emitted window after a restart may carry either.
                finals[window] = String(line.replacing(/"final":(true|false),"revision":\d+,/, with: ""))
            }
            return finals
        }

        @Test func sameAnswersAsFromAFile() async throws {
            let directory = TemporaryDirectory()
            let (topic, file) = try await Self.topicWithFrames(count: 6_000, directory: directory)
            let fromKafka = try TallyBinary.run([
                "count", "--from", "kafka://\(kafkaBrokers!)/\(topic)", "--group", uniqueName("same-"), "--until-end", "--exact",
            ])
            #expect(fromKafka.status == 0, "\(fromKafka.stderr)")
            let fromFile = try TallyBinary.run(["count", file, "--exact"])
            #expect(Set(fromKafka.stdout.split(separator: "\n")) == Set(fromFile.stdout.split(separator: "\n")))
            #expect(fromKafka.stderr.contains("lines=6000 counted=6000"))
        }

        /// Tally frame records from a topic (one record per message, without its length) count like the frames they
        /// were converted from.
        @Test func recordsFromATopicCountLikeTheirFrames() async throws {
            let directory = TemporaryDirectory()
            let file = directory.path + "/frames.jsonl"
            #expect(try TallyBinary.run(["generate", "frames", "-c", "4000", "-r", "200", "-n", "500", "-s", "3", "-o", file]).status == 0)
            let converted = directory.path + "/frames.tfr"
            #expect(try TallyBinary.run(["convert", "--to", "tfr", "--payload", "drop", file, "-o", converted]).status == 0)
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: converted)))
            var bodies: [[UInt8]] = []
            var position = 4  // the magic
            while position + 4 <= bytes.count {
                let length =
                    Int(bytes[position]) | Int(bytes[position + 1]) << 8 | Int(bytes[position + 2]) << 16 | Int(bytes[position + 3]) << 24
                bodies.append(Array(bytes[(position + 4)..<(position + 4 + length)]))
                position += 4 + length
            }
            #expect(bodies.count == 4_000)
            let topic = uniqueName("records-")
            try await produce(values: bodies, to: topic, brokers: kafkaBrokers!)
            let fromKafka = try TallyBinary.run([
                "count", "--format", "tfr", "--from", "kafka://\(kafkaBrokers!)/\(topic)", "--group", uniqueName("records-"),
                "--until-end", "--exact",
            ])
            #expect(fromKafka.status == 0, "\(fromKafka.stderr)")
            let fromFile = try TallyBinary.run(["count", file, "--exact"])
            #expect(Set(fromKafka.stdout.split(separator: "\n")) == Set(fromFile.stdout.split(separator: "\n")))
            #expect(fromKafka.stderr.contains("lines=4000 counted=4000"), "\(fromKafka.stderr)")
        }

        /// `--to`: one message per result, keyed `window/start`, the same results as to stdout.
        @Test func resultsToATopic() async throws {
            let directory = TemporaryDirectory()
            let (topic, file) = try await Self.topicWithFrames(count: 3_000, directory: directory)
            let output = topic + "-results"
            let run = try TallyBinary.run([
                "count", "--from", "kafka://\(kafkaBrokers!)/\(topic)", "--to", "kafka://\(kafkaBrokers!)/\(output)",
                "--group", uniqueName("to-"), "--until-end", "--exact",
            ])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stdout.isEmpty)
            let expected = try TallyBinary.run(["count", file, "--exact"]).stdout.split(separator: "\n").map(String.init)
            let results = try consumeRecords(from: output, brokers: kafkaBrokers!, count: expected.count)
            #expect(Set(results.map(\.value)) == Set(expected))
            for (key, value) in results {
                let parts = key.split(separator: "/").map(String.init)
                #expect(parts.count == 2 && value.contains(#""window":"\#(parts[0])","start":"\#(parts[1])""#), "key \(key) for \(value)")
            }
        }

        @Test func killedProcessorResumesExactly() async throws {
            let directory = TemporaryDirectory()
            let (topic, _) = try await Self.topicWithFrames(count: 30_000, directory: directory)
            let source = "kafka://\(kafkaBrokers!)/\(topic)"
            let (reference, combined) = try referenceAndKilledRuns(
                "count", from: source, options: ["--exact", "--windows", "minute,hour", "--until-end"], directory: directory)
            #expect(Self.finals(combined) == Self.finals(reference))
            #expect(!Self.finals(reference).isEmpty)
        }
    }
#endif

#if Kafka
    /// Several processors in one group, each owning some partitions, publish sketches; `tally count --merge` gives
    /// what one processor over the whole topic gives.
    @Suite(
        "tally count shards and merge", .offCooperativePool, .serialized,
        .enabled(if: kafkaBrokers != nil, "TALLY_TEST_KAFKA_BROKERS is not set; Kafka tests skipped"))
    struct KafkaShardTests {
        @Test func twoShardsAndAMergeEqualOneProcessor() async throws {
            guard let binary = TallyBinary.url else { throw TallyBinary.MissingBinary() }
            let directory = TemporaryDirectory()
            let topic = uniqueName("frames-")
            let sketches = uniqueName("sketches-")
            let group = uniqueName("shards-")
            try KafkaAdmin(brokers: kafkaBrokers!).createTopic(topic, partitions: 2)
            let brokers = kafkaBrokers!
            var shards: [(process: Process, stderr: String)] = []
            for id in ["a", "b"] {
                let shard = Process()
                shard.executableURL = binary
                shard.arguments = [
                    "count", "--from", "kafka://\(brokers)/\(topic)", "--group", group, "--shard", id,
                    "--to", "kafka://\(brokers)/\(sketches)", "--exact", "--idle-exit", "20s",
                    "--checkpoint", directory.path + "/\(id).checkpoint",
                ]
                let stderr = directory.path + "/\(id).err"
                _ = FileManager.default.createFile(atPath: stderr, contents: nil)
                shard.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderr))
                shard.standardOutput = FileHandle.nullDevice
                try shard.run()
                shards.append((shard, stderr))
            }
            defer { for shard in shards where shard.process.isRunning { shard.process.terminate() } }
            // Produce only once the group has given each shard one partition, so neither reads the other's.
            func assignments() -> [String] {
                shards.map {
                    (try? String(contentsOfFile: $0.stderr, encoding: .utf8))?.split(separator: "\n")
                        .last { $0.contains("assigned partitions") }.map(String.init) ?? ""
                }
            }
            let deadline = Date().addingTimeInterval(60)
            while !assignments().allSatisfy({ $0.hasSuffix("/0") || $0.hasSuffix("/1") }), Date() < deadline { usleep(100_000) }
            #expect(Set(assignments().map { $0.suffix(2) }) == ["/0", "/1"], "\(assignments())")

            let file = directory.path + "/frames.jsonl"
            #expect(
                try TallyBinary.run(["generate", "frames", "-c", "20000", "-r", "100", "-n", "3000", "-s", "7", "-o", file]).status == 0)
            let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
            // Keyed by line number: the frames of one user land in both partitions, so the merge must deduplicate.
            try await produce(lines, to: topic, brokers: brokers) { Array("\($0)".utf8) }
            for shard in shards { shard.process.waitUntilExit() }
            var counted: [Int] = []
            var summaries: [String] = []
            for shard in shards {
                #expect(shard.process.terminationStatus == 0)
                let stderr = try String(contentsOfFile: shard.stderr, encoding: .utf8)
                counted.append(Int(stderr.firstMatch(of: /counted=(\d+)/)?.1 ?? "0") ?? 0)
                summaries.append(stderr)
            }
            #expect(counted.allSatisfy { $0 > 0 } && counted.reduce(0, +) == 20_000, "\(counted): \(summaries)")

            let merged = try TallyBinary.run([
                "count", "--merge", "--from", "kafka://\(brokers)/\(sketches)", "--group", uniqueName("merge-"), "--until-end",
            ])
            #expect(merged.status == 0, "\(merged.stderr)")
            let single = try TallyBinary.run([
                "count", "--from", "kafka://\(brokers)/\(topic)", "--group", uniqueName("single-"), "--until-end", "--exact",
            ])
            #expect(single.status == 0)
            #expect(KafkaCountTests.finals(merged.stdout) == KafkaCountTests.finals(single.stdout))
            #expect(KafkaCountTests.finals(single.stdout).count > 5)
        }
    }
#endif
