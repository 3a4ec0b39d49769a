import ArgumentParser
import TallyCore
import TallyIO

/// The `--checkpoint FILE` of a Kafka processor (`tally count|resume --from kafka://…`): the stream's state plus,
/// per partition, the offset after the last record it includes. On restart, records below those offsets are
/// skipped, so a crash between saving the checkpoint and committing the offsets to Kafka double-counts nothing.
///
/// Format `kafkaCheckpoint` (or its legacy magic, read only): the source (`COMMAND kafka://…/TOPIC#GROUP`), the
/// partitions as (topic, partition, next offset), then the stream's own state (which opens with its own format).
struct KafkaProcessorCheckpoint {
    struct Position: Hashable {
        var topic: String
        var partition: Int32
        var next: Int64
    }

    var source: String
    var positions: [Position]
    var state: [UInt8]

    func save(to path: String) throws {
        try CheckpointFile.save(.kafkaCheckpoint, to: path) { writer in
            writer.write(source)
            writer.write(UInt32(positions.count))
            for position in positions {
                writer.write(position.topic)
                writer.write(Int64(position.partition))
                writer.write(position.next)
            }
            writer.write(raw: state)
        }
    }

    static func load(from path: String) throws -> KafkaProcessorCheckpoint? {
        try CheckpointFile.load(path, format: .kafkaCheckpoint, alsoAccepting: [.kafkaCheckpointLegacy]) {
            _, reader throws(ByteReader.Failure) in
            let source = try reader.readString()
            let count = Int(try reader.readUInt32())
            var positions: [Position] = []
            for _ in 0..<count {
                positions.append(
                    Position(
                        topic: try reader.readString(), partition: Int32(truncatingIfNeeded: try reader.readInt()),
                        next: Int64(try reader.readInt())))
            }
            return KafkaProcessorCheckpoint(source: source, positions: positions, state: try reader.readRaw())
        }
    }
}
