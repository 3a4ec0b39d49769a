import TallyCore
import TallyIO

/// The `--checkpoint FILE` of a run over files: the stream's state plus where in which input it stands.
///
/// Format `inputCheckpoint`: the input paths, the index of the current input, the bytes of it fully processed,
/// whether the run finished, then the stream's state (which opens with its own format, so a checkpoint of one
/// command is refused by another).
struct InputCheckpoint {
    var inputs: [String]
    var fileIndex: Int
    var fileOffset: Int
    var finished: Bool
    var state: [UInt8]

    func save(to path: String) throws {
        try CheckpointFile.save(.inputCheckpoint, to: path) { writer in
            writer.write(UInt32(inputs.count))
            for input in inputs { writer.write(input) }
            writer.write(fileIndex)
            writer.write(fileOffset)
            writer.write(finished)
            writer.write(raw: state)
        }
    }

    static func load(from path: String) throws -> InputCheckpoint? {
        try CheckpointFile.load(path, format: .inputCheckpoint) { _, reader throws(ByteReader.Failure) in
            let count = Int(try reader.readUInt32())
            var inputs: [String] = []
            for _ in 0..<count { inputs.append(try reader.readString()) }
            return InputCheckpoint(
                inputs: inputs, fileIndex: try reader.readInt(), fileOffset: try reader.readInt(),
                finished: try reader.readBool(), state: try reader.readRaw())
        }
    }
}
