import ArgumentParser
import TallyCore
import TallyIO

/// The `--checkpoint FILE` of a Kafka processor (`tally count|resume --from kafka://…`): the stream's state plus,
/// per partition, the offset after the last record it includes. On restart, records below those offsets are
/// skipped, so a crash between saving the checkpoint and committing the offsets to Kafka double-counts nothing.
///
/// Format (version 1): `"TCK1"`, the source (`COMMAND kafka://…/TOPIC#GROUP`), the partitions as (topic, partition,
/// next offset), then the stream's own state (which starts with its own magic). Written atomically (`AtomicFile`).
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
        var writer = ByteWriter()
        writer.write(magic: "TCK1")
        writer.write(source)
        writer.write(UInt32(positions.count))
        for position in positions {
            writer.write(position.topic)
            writer.write(Int64(position.partition))
            writer.write(position.next)
        }
        writer.write(raw: state)
        try AtomicFile.write(writer.bytes, to: path)
    }

    static func load(from path: String) throws -> KafkaProcessorCheckpoint? {
        guard let bytes = try AtomicFile.read(path) else { return nil }
        var reader = ByteReader(bytes)
        do {
            guard try reader.readMagic("TCK1") else { throw ValidationError("\(path) is not a checkpoint of a Kafka processor") }
            let source = try reader.readString()
            let count = Int(try reader.readUInt32())
            let positions = try (0..<count).map { _ in
                Position(topic: try reader.readString(), partition: Int32(truncatingIfNeeded: try reader.readInt()), next: Int64(try reader.readInt()))
            }
            return KafkaProcessorCheckpoint(source: source, positions: positions, state: try reader.readRaw())
        } catch let error as ByteReader.Failure {
            throw ValidationError("checkpoint \(path) is damaged: \(error)")
        }
    }
}
