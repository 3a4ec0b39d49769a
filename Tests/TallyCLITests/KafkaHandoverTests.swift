#if Kafka
    import Foundation
    import Testing
    import TallyKafka

    private let kafkaBrokers = ProcessInfo.processInfo.environment["TALLY_TEST_KAFKA_BROKERS"]

    /// A partition moved to another member of the group while its event clock holds records: nothing is lost, and the
    /// new owner continues the partition's clock from the metadata of the committed offset.
    @Suite(
        "Event clocks handed over on a rebalance", .offCooperativePool, .serialized,
        .enabled(if: kafkaBrokers != nil, "TALLY_TEST_KAFKA_BROKERS is not set; Kafka tests skipped"))
    struct KafkaHandoverTests {
        static let start = 1_468_244_384

        /// `count` frames one second apart from `from`, from 300 users.
        static func frames(_ count: Int, from: Int, seed: UInt64) -> [(key: String, line: String)] {
            var rng = seed
            return (0..<count).map { index in
                rng = rng &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let user = "u\((rng >> 33) % 300)"
                return (user, #"{"uid":"\#(user)","ts":\#(from + index)}"#)
            }
        }

        /// Two keys per partition of a 2-partition topic, found by producing candidates to a scratch topic (the
        /// partitioner maps a key to the same partition of any topic with as many partitions).
        static func twoKeysPerPartition(brokers: String) async throws -> [Int32: [String]] {
            let probe = uniqueName("probe-")
            try KafkaAdmin(brokers: brokers).createTopic(probe, partitions: 2)
            let producer = try KafkaProducer(brokers: brokers)
            defer { producer.close() }
            let candidates = (0..<24).map { "jumper-\($0)" }
            let reports = try await producer.send(topic: probe, messages: candidates.map { (Array($0.utf8), [0x7B, 0x7D]) })
            var keys: [Int32: [String]] = [:]
            for (candidate, report) in zip(candidates, reports) where keys[report.partition, default: []].count < 2 {
                keys[report.partition, default: []].append(candidate)
            }
            return keys
        }

        /// Member A reads 4,000 frames and then, in each partition, two frames of users jumping two days ahead: too few
        /// users to trust, so A holds them. Member B joins; the group gives it one partition. Then 3,000 frames at the
        /// new time arrive and corroborate the jump. Merged, the two shards give exactly one reader's answers: the held
        /// frames of the moved partition were read again by B (A committed no further than the oldest of them), and B
        /// continued that partition's clock.
        @Test func aPartitionMovedWhileItsClockHoldsFramesLosesNone() async throws {
            guard let binary = TallyBinary.url else { throw TallyBinary.MissingBinary() }
            let brokers = kafkaBrokers!
            let directory = TemporaryDirectory()
            let topic = uniqueName("handover-")
            let group = uniqueName("handover-")
            try KafkaAdmin(brokers: brokers).createTopic(topic, partitions: 2)
            let keys = try await Self.twoKeysPerPartition(brokers: brokers)
            #expect(keys[0]?.count == 2 && keys[1]?.count == 2, "\(keys)")
            let jumpers = (keys[0] ?? []) + (keys[1] ?? [])
            let jump = Self.start + 172_800
            let before =
                Self.frames(4_000, from: Self.start, seed: 1)
                + jumpers.enumerated().map { ($1, #"{"uid":"\#($1)","ts":\#(jump + $0)}"#) }
            let after = Self.frames(3_000, from: jump + 10, seed: 2)
            let file = directory.path + "/frames.jsonl"
            try ((before + after).map(\.line).joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
            let options = ["--exact", "--windows", "minute,hour"]
            let baseline = try TallyBinary.run(["count", file] + options)
            #expect(baseline.status == 0)

            func send(_ frames: [(key: String, line: String)]) async throws {
                try await produce(frames.map { $0.line[...] }, to: topic, brokers: brokers) { Array(frames[$0].key.utf8) }
            }
            try await send(before)
            var members: [(process: Process, stdout: String, stderr: String)] = []
            defer { for member in members where member.process.isRunning { member.process.terminate() } }
            func startMember(_ id: String) throws {
                let member = Process()
                member.executableURL = binary
                member.arguments =
                    [
                        "count", "--from", "kafka://\(brokers)/\(topic)", "--group", group, "--shard", id, "--idle-exit", "15s",
                        "--checkpoint", directory.path + "/\(id).checkpoint", "--checkpoint-interval", "100ms",
                    ] + options
                let stdout = directory.path + "/\(id).out"
                let stderr = directory.path + "/\(id).err"
                for path in [stdout, stderr] { _ = FileManager.default.createFile(atPath: path, contents: nil) }
                member.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdout))
                member.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderr))
                try member.run()
                members.append((member, stdout, stderr))
            }
            func assignments() -> [String] {
                members.map {
                    (try? String(contentsOfFile: $0.stderr, encoding: .utf8))?.split(separator: "\n")
                        .last { $0.contains("assigned partitions") }.map(String.init) ?? ""
                }
            }
            func waitFor(_ condition: () -> Bool) {
                let deadline = Date().addingTimeInterval(60)
                while !condition(), Date() < deadline { usleep(100_000) }
            }

            try startMember("a")
            waitFor { assignments().first?.hasSuffix("/0, \(topic)/1") == true }
            // A reads everything and commits within a few checkpoint intervals.
            usleep(2_000_000)
            try startMember("b")
            waitFor { Set(assignments().map { $0.suffix(2) }) == ["/0", "/1"] }
            #expect(Set(assignments().map { $0.suffix(2) }) == ["/0", "/1"], "\(assignments())")
            try await send(after)
            for member in members { member.process.waitUntilExit() }

            let stderrs = try members.map { try String(contentsOfFile: $0.stderr, encoding: .utf8) }
            for (member, stderr) in zip(members, stderrs) { #expect(member.process.terminationStatus == 0, "\(stderr)") }
            // The moved partition's two held frames at least; librdkafka's default (eager) protocol revokes every
            // partition on a rebalance and hands the kept one back, whose two frames A then reads again itself.
            let handedOver = Int(stderrs[0].firstMatch(of: /handed_over=(\d+)/)?.1 ?? "0") ?? 0
            #expect(handedOver == 2 || handedOver == 4, "\(stderrs[0])")
            #expect(stderrs[1].contains("continues the event clock its previous owner committed"), "\(stderrs[1])")
            let counted = stderrs.map { Int($0.firstMatch(of: /counted=(\d+)/)?.1 ?? "0") ?? 0 }
            #expect(counted.reduce(0, +) == before.count + after.count, "\(stderrs)")
            for stderr in stderrs { #expect(stderr.contains("rejected_outlier=0"), "\(stderr)") }

            let merged = try TallyBinary.run(["count", "--merge"] + members.map(\.stdout))
            #expect(merged.status == 0, "\(merged.stderr)")
            #expect(KafkaCountTests.finals(merged.stdout) == KafkaCountTests.finals(baseline.stdout))
            #expect(KafkaCountTests.finals(baseline.stdout).count > 100)
        }
    }
#endif
