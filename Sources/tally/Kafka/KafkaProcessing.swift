import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import TallyIO

#if Kafka
    import TallyKafka
#endif

/// Sets up and runs a Kafka processor (`tally count|resume --from kafka://…`): restores its checkpoint, joins the
/// consumer group, and runs the loop as a service until the input ends, `--idle-exit`, or SIGTERM/SIGINT.
enum KafkaProcessing {
    /// `makeStream` builds the stream, from a checkpoint's state when there is one.
    static func run<Stream: ProcessedStream>(
        _ settings: ProcessingSettings, makeStream: ([UInt8]?) throws -> Stream
    ) async throws {
        #if Kafka
            let options = settings.kafka
            guard let fromURL = options.from else { throw ValidationError("--to needs --from: results of a file go to --output") }
            let source = try KafkaEndpoint(url: fromURL)
            let destination = try options.to.map(KafkaEndpoint.init(url:))
            let group = options.group ?? "tally-\(Stream.command)"
            let sourceName = "\(Stream.command) \(fromURL)#\(group)"
            var stream = try makeStream(nil)
            var positions: [KafkaPartition: Int64] = [:]
            if let path = settings.checkpoint, let saved = try KafkaProcessorCheckpoint.load(from: path) {
                guard saved.source == sourceName else {
                    throw ValidationError("checkpoint \(path) was made for \(saved.source), not \(sourceName)")
                }
                do {
                    stream = try makeStream(saved.state)
                } catch {
                    throw CheckpointFile.unusable(path, error)
                }
                for position in saved.positions {
                    positions[KafkaPartition(topic: position.topic, partition: position.partition)] = position.next
                }
                ProgressReporter.writeStderr("\(Stream.command): resuming from \(path) at \(saved.positions.count) partition offsets\n")
            }
            let consumer = try KafkaConsumer(
                brokers: source.brokers, group: group, topics: [source.topic],
                // A dead member (a killed processor) holds its partitions until the session times out, and a rebalance
                // waits at most max.poll.interval.ms for members to rejoin: both short, since the loop polls constantly.
                properties: [
                    "session.timeout.ms": "10000", "heartbeat.interval.ms": "1000", "max.poll.interval.ms": "20000",
                    "enable.partition.eof": options.untilEnd ? "true" : "false",
                ]
                .merging(staticMembership(group: group, instanceId: options.instanceId, checkpoint: settings.checkpoint)) { $1 }
                .merging(KafkaProperty.dictionary(options.kafkaProperty)) { $1 })
            if let destination {
                // A producer to a topic the brokers do not have only fails after its message timeout: say so at start.
                guard try KafkaAdmin(brokers: destination.brokers).partitionCount(of: destination.topic) != nil else {
                    throw ValidationError(
                        "--to: topic \(destination.topic) does not exist on \(destination.brokers); create it first (brokers that do not auto-create topics)"
                    )
                }
            }
            let producer = try destination.map {
                try KafkaProducer(brokers: $0.brokers, properties: KafkaProperty.dictionary(options.kafkaProperty))
            }
            defer {
                consumer.close()
                producer?.close()
            }
            let logger = Logger(label: "tally.\(Stream.command)")
            let processor = KafkaProcessor(
                stream: stream, positions: positions, consumer: consumer, outputPath: settings.output,
                producer: producer, outputTopic: destination?.topic, checkpointPath: settings.checkpoint,
                sourceName: sourceName, checkpointInterval: settings.checkpointInterval, idleExit: options.idleExit?.duration,
                untilEnd: options.untilEnd,
                maxSkew: try KafkaSourceOptions.maxSkewSetting.resolve(options.maxSkew).duration,
                logger: logger)
            let services = ServiceGroup(
                configuration: .init(
                    services: [.init(service: processor, successTerminationBehavior: .gracefullyShutdownGroup)],
                    gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await services.run()
        #else
            throw ValidationError(KafkaSupport.missingTrait)
        #endif
    }

    /// A processor with a checkpoint is a static group member (`group.instance.id`): restarted after a crash, it
    /// takes back its partitions at once instead of waiting for the group to expire the dead member and rebalance.
    /// The id defaults to the group and the checkpoint's path (one checkpoint per processor), or `--instance-id`.
    static func staticMembership(group: String, instanceId: String?, checkpoint: String?) -> [String: String] {
        if let instanceId { return ["group.instance.id": instanceId] }
        guard let checkpoint else { return [:] }
        let path = checkpoint.hasPrefix("/") ? checkpoint : FileManager.default.currentDirectoryPath + "/" + checkpoint
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in path.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return ["group.instance.id": "tally-\(group)-\(String(hash, radix: 36))"]
    }
}
