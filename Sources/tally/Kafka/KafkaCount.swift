import ArgumentParser
import Foundation
import Synchronization
import TallyCore
import TallyIO
import UnixSignals
#if Kafka
import TallyKafka
#endif

/// `tally count --from kafka://HOST:PORT/TOPIC --group G [--to kafka://…] [--checkpoint FILE]`.
///
/// The order of every commit point is what makes a restart exact: results are flushed (written, or acknowledged
/// by the output topic) first, then the state that produced them is checkpointed with each partition's next
/// offset, and only then are those offsets committed to the group. A crash at any step re-emits results (same
/// window and revision) but neither loses nor double-counts a frame.
enum KafkaCount {
    static func run(_ command: CountCommand, _ setup: CountCommand.Setup) async throws {
        #if Kafka
        guard let fromURL = command.from else { throw ValidationError("--to needs --from: results of a file count go to --output") }
        let source = try KafkaEndpoint(url: fromURL)
        let destination = try command.to.map(KafkaEndpoint.init(url:))
        var processor = try KafkaCountProcessor(command, setup, sourceName: "\(fromURL)#\(command.group)")
        let consumer = try KafkaConsumer(
            brokers: source.brokers, group: command.group, topics: [source.topic],
            // A dead member (a killed processor) holds its partitions until the session times out, and a rebalance
            // waits at most max.poll.interval.ms for members to rejoin: both short, since the loop polls constantly.
            properties: ["session.timeout.ms": "10000", "heartbeat.interval.ms": "1000", "max.poll.interval.ms": "20000",
                         "enable.partition.eof": command.untilEnd ? "true" : "false"]
                .merging(Self.staticMembership(command)) { $1 })
        let producer = try destination.map { try KafkaProducer(brokers: $0.brokers) }
        let stop = StopFlag()
        let signals = Task {
            for await _ in await UnixSignalsSequence(trapping: .sigterm, .sigint) {
                stop.set()
                return
            }
        }
        defer {
            signals.cancel()
            consumer.close()
            producer?.close()
        }
        let output = KafkaCountOutput(sink: destination == nil ? try OutputSink(path: command.output) : nil,
                                      producer: producer, topic: destination?.topic)
        try await processor.consume(consumer, output: output, stop: stop, idleExit: command.idleExit?.duration, untilEnd: command.untilEnd)
        #else
        throw ValidationError(KafkaSupport.missingTrait)
        #endif
    }
}

extension KafkaCount {
    /// A processor with a checkpoint is a static group member (`group.instance.id`): restarted after a crash, it
    /// takes back its partitions at once instead of waiting for the group to expire the dead member and rebalance.
    /// The id defaults to the group and the checkpoint's path (one checkpoint per processor), or `--instance-id`.
    static func staticMembership(_ command: CountCommand) -> [String: String] {
        if let id = command.instanceId { return ["group.instance.id": id] }
        guard let checkpoint = command.checkpoint else { return [:] }
        let path = checkpoint.hasPrefix("/") ? checkpoint : FileManager.default.currentDirectoryPath + "/" + checkpoint
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in path.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return ["group.instance.id": "tally-count-\(command.group)-\(String(hash, radix: 36))"]
    }
}

/// Set from the signal task, read by the consuming loop.
final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    func set() { flag.store(true, ordering: .releasing) }
    var isSet: Bool { flag.load(ordering: .acquiring) }
}
