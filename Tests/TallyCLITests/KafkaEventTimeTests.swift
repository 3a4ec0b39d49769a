#if Kafka
    import Foundation
    import Testing
    import TallyKafka

    private let kafkaBrokers = ProcessInfo.processInfo.environment["TALLY_TEST_KAFKA_BROKERS"]

    /// Event time across partitions, against a real broker: a topic of four partitions keyed by user, filled before the
    /// processor starts (so one partition's batches come far ahead of the others'), gives the file's answers, also
    /// after a kill -9 and restart.
    @Suite(
        "Event time from partitioned topics", .offCooperativePool, .serialized,
        .enabled(if: kafkaBrokers != nil, "TALLY_TEST_KAFKA_BROKERS is not set; Kafka tests skipped"))
    struct KafkaEventTimeTests {
        /// Nine hours of frames, one every 3 s, from 2,000 users, with a few seconds of disorder.
        static func nineHoursOfFrames() -> [String] {
            var state: UInt64 = 42
            func next() -> UInt64 {
                state &+= 0x9E37_79B9_7F4A_7C15
                var z = state
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                return z ^ (z >> 31)
            }
            let start = 1_468_244_384
            return (0..<10_800).map { index in
                #"{"uid":"u\#(next() % 2_000)","ts":\#(start + index * 3 - Int(next() % 4))}"#
            }
        }

        /// The user of a frame or heartbeat line, as its Kafka key (the partitioner spreads users over partitions).
        static func userKey(_ line: String, field: String) -> [UInt8] {
            let marker = "\"\(field)\":\""
            let start = line.range(of: marker)!.upperBound
            return Array(line[start...].prefix { $0 != "\"" }.utf8)
        }

        static func partitionedTopic(_ lines: [String], field: String) async throws -> String {
            let topic = uniqueName("partitioned-")
            try KafkaAdmin(brokers: kafkaBrokers!).createTopic(topic, partitions: 4)
            try await produce(lines.map { $0[...] }, to: topic, brokers: kafkaBrokers!) { userKey(lines[$0], field: field) }
            return topic
        }

        /// Generated heartbeats (none late) in a file and in a 4-partition topic keyed by user.
        static func heartbeatTopic(users: Int, seconds: Int, seed: Int, directory: TemporaryDirectory) async throws -> (
            file: String, topic: String
        ) {
            let file = directory.path + "/heartbeats.jsonl"
            let generated = try TallyBinary.run([
                "generate", "heartbeats", "--users", "\(users)", "--duration", "\(seconds)",
                "--late-fraction", "0", "--seed", "\(seed)", "-o", file,
            ])
            #expect(generated.status == 0)
            let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").map(String.init)
            return (file, try await partitionedTopic(lines, field: "userId"))
        }

        @Test func countOverFourPartitionsEqualsTheFile() async throws {
            let directory = TemporaryDirectory()
            let lines = Self.nineHoursOfFrames()
            let file = directory.path + "/frames.jsonl"
            try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
            let topic = try await Self.partitionedTopic(lines, field: "uid")
            let options = ["--exact", "--windows", "minute,hour"]
            let fromFile = try TallyBinary.run(["count", file] + options)
            #expect(fromFile.status == 0)
            let fromKafka = try TallyBinary.run(
                ["count", "--from", "kafka://\(kafkaBrokers!)/\(topic)", "--group", uniqueName("p4-"), "--until-end"] + options)
            #expect(fromKafka.status == 0, "\(fromKafka.stderr)")
            #expect(fromKafka.stderr.contains("lines=10800 counted=10800 "), "\(fromKafka.stderr)")
            #expect(fromKafka.stderr.contains("rejected_too_old=0 rejected_outlier=0"))
            #expect(KafkaCountTests.finals(fromKafka.stdout) == KafkaCountTests.finals(fromFile.stdout))
            #expect(KafkaCountTests.finals(fromFile.stdout).count >= 540 + 10)

            // Killed with SIGKILL mid-replay and restarted from its checkpoint: still the file's answers.
            let (_, combined) = try referenceAndKilledRuns(
                "count", from: "kafka://\(kafkaBrokers!)/\(topic)", options: ["--until-end"] + options, directory: directory)
            #expect(KafkaCountTests.finals(combined) == KafkaCountTests.finals(fromFile.stdout))
        }

        @Test func resumeOverFourPartitionsEqualsTheFile() async throws {
            let directory = TemporaryDirectory()
            let (file, topic) = try await Self.heartbeatTopic(users: 60, seconds: 1200, seed: 3, directory: directory)
            let fromFile = try TallyBinary.run(["resume", file])
            let fromKafka = try TallyBinary.run([
                "resume", "--from", "kafka://\(kafkaBrokers!)/\(topic)", "--group", uniqueName("p4-"), "--until-end",
            ])
            #expect(fromKafka.status == 0, "\(fromKafka.stderr)")
            #expect(fromKafka.stderr.contains("late=0"), "\(fromKafka.stderr)")
            let expected = Set(fromFile.stdout.split(separator: "\n"))
            #expect(expected.count > 1_000)
            #expect(Set(fromKafka.stdout.split(separator: "\n")) == expected)
        }

        @Test func resumeKilledMidReplayOfFourPartitionsRepeatsAndLosesNothing() async throws {
            let directory = TemporaryDirectory()
            let (file, topic) = try await Self.heartbeatTopic(users: 400, seconds: 900, seed: 6, directory: directory)
            let expected = Set(try TallyBinary.run(["resume", file]).stdout.split(separator: "\n"))
            let (reference, combined) = try referenceAndKilledRuns(
                "resume", from: "kafka://\(kafkaBrokers!)/\(topic)", options: ["--until-end"], directory: directory)
            #expect(Set(reference.split(separator: "\n")) == expected)
            #expect(Set(combined.split(separator: "\n")) == expected)
            #expect(expected.count > 5_000)
        }

        /// Runs `tally COMMAND --from TOPIC OPTIONS --idle-exit 15s` while `lines` are produced into a new 4-partition
        /// topic keyed by `field`, in chunks of 1,000 with 200 ms between them (the processor reads each chunk as it
        /// comes, so partitions deliver unevenly and go quiet between chunks); returns its stdout and stderr. The idle
        /// exit is only how the run ends, so it is far above the pauses: with 5 s, a producer slowed by a loaded machine
        /// once paused long enough for the processor to finish a third of the way through.
        static func runWhileProducing(
            _ command: String, lines: [String], field: String, options: [String] = [],
            directory: TemporaryDirectory
        ) async throws -> (stdout: String, stderr: String) {
            guard let binary = TallyBinary.url else { throw TallyBinary.MissingBinary() }
            let topic = uniqueName("live-")
            try KafkaAdmin(brokers: kafkaBrokers!).createTopic(topic, partitions: 4)
            let process = Process()
            process.executableURL = binary
            process.arguments =
                [command, "--from", "kafka://\(kafkaBrokers!)/\(topic)", "--group", uniqueName("live-"), "--idle-exit", "15s"] + options
            let stdout = directory.path + "/live-\(command).out"
            let stderr = directory.path + "/live-\(command).err"
            for path in [stdout, stderr] { _ = FileManager.default.createFile(atPath: path, contents: nil) }
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdout))
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderr))
            try process.run()
            defer { if process.isRunning { process.terminate() } }
            let producer = try KafkaProducer(brokers: kafkaBrokers!)
            for chunk in stride(from: 0, to: lines.count, by: 1_000) {
                let messages = lines[chunk..<min(chunk + 1_000, lines.count)].map {
                    (key: Optional(userKey($0, field: field)), value: Array($0.utf8))
                }
                _ = try await producer.send(topic: topic, messages: messages)
                try await Task.sleep(for: .milliseconds(200))
            }
            producer.close()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            return (try String(contentsOfFile: stdout, encoding: .utf8), try String(contentsOfFile: stderr, encoding: .utf8))
        }

        @Test func countOfFramesProducedLiveIntoFourPartitionsEqualsTheFile() async throws {
            let directory = TemporaryDirectory()
            let lines = Self.nineHoursOfFrames()
            let file = directory.path + "/frames.jsonl"
            try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
            let options = ["--exact", "--windows", "minute,hour"]
            let fromFile = try TallyBinary.run(["count", file] + options)
            let live = try await Self.runWhileProducing("count", lines: lines, field: "uid", options: options, directory: directory)
            #expect(live.stderr.contains("lines=10800 counted=10800 "), "\(live.stderr)")
            #expect(KafkaCountTests.finals(live.stdout) == KafkaCountTests.finals(fromFile.stdout))
        }

        @Test func resumeOfHeartbeatsProducedLiveIntoFourPartitionsEqualsTheFile() async throws {
            let directory = TemporaryDirectory()
            let file = directory.path + "/heartbeats.jsonl"
            #expect(
                try TallyBinary.run([
                    "generate", "heartbeats", "--users", "60", "--duration", "1200", "--late-fraction", "0",
                    "--seed", "4", "-o", file,
                ]).status == 0)
            let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").map(String.init)
            let expected = Set(try TallyBinary.run(["resume", file]).stdout.split(separator: "\n"))
            let live = try await Self.runWhileProducing("resume", lines: lines, field: "userId", directory: directory)
            #expect(live.stderr.contains("late=0"), "\(live.stderr)")
            #expect(expected.count > 1_000)
            #expect(Set(live.stdout.split(separator: "\n")) == expected)
        }

        @Test func anOutputTopicThatDoesNotExistIsAnErrorAtStart() async throws {
            let topic = uniqueName("frames-")
            try KafkaAdmin(brokers: kafkaBrokers!).createTopic(topic, partitions: 1)
            let missing = uniqueName("nowhere-")
            let run = try TallyBinary.run([
                "count", "--from", "kafka://\(kafkaBrokers!)/\(topic)", "--to", "kafka://\(kafkaBrokers!)/\(missing)", "--until-end",
            ])
            // Brokers that auto-create topics create it on the metadata request; noida-db does not.
            if run.status != 0 {
                #expect(run.stderr.contains("topic \(missing) does not exist"), "\(run.stderr)")
            }
            let exists = try KafkaAdmin(brokers: kafkaBrokers!).partitionCount(of: missing)
            #expect((run.status != 0) == (exists == nil))
        }
    }
#endif
