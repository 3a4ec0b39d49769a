import ArgumentParser
import TallyCore
import TallyIO

/// The `--checkpoint FILE` of `tally count`: the counting state plus where in which input it stands.
///
/// Format (version 1): `"TCF1"`, the input paths, the index of the current input, the bytes of it fully processed,
/// whether the run finished, then the `CountStream` state. Written atomically (`AtomicFile`).
struct CountCheckpoint {
    var inputs: [String]
    var fileIndex: Int
    var fileOffset: Int
    var finished: Bool
    var state: [UInt8]

    func save(to path: String) throws {
        var writer = ByteWriter()
        writer.write(magic: "TCF1")
        writer.write(UInt32(inputs.count))
        for input in inputs { writer.write(input) }
        writer.write(fileIndex)
        writer.write(fileOffset)
        writer.write(finished)
        writer.write(raw: state)
        try AtomicFile.write(writer.bytes, to: path)
    }

    static func load(from path: String) throws -> CountCheckpoint? {
        guard let bytes = try AtomicFile.read(path) else { return nil }
        var reader = ByteReader(bytes)
        do {
            guard try reader.readMagic("TCF1") else { throw ValidationError("\(path) is not a tally count checkpoint") }
            let count = Int(try reader.readUInt32())
            let inputs = try (0..<count).map { _ in try reader.readString() }
            return CountCheckpoint(inputs: inputs, fileIndex: try reader.readInt(), fileOffset: try reader.readInt(),
                                   finished: try reader.readBool(), state: try reader.readRaw())
        } catch let error as ByteReader.Failure {
            throw ValidationError("checkpoint \(path) is damaged: \(error)")
        }
    }
}
