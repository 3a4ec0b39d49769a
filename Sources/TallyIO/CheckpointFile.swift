import TallyCore

/// The one way checkpoints reach disk: written whole or not at all (`AtomicFile`), opened by their format's magic,
/// and any damage reported with the file's name and what to do about it.
package enum CheckpointFile {
    package struct Unusable: Error, CustomStringConvertible {
        package var description: String
    }

    /// Writes `format`'s magic, then what `body` writes.
    package static func save(_ format: BinaryFormat, to path: String, _ body: (inout ByteWriter) -> Void) throws {
        var writer = ByteWriter()
        writer.write(format: format)
        body(&writer)
        try AtomicFile.write(writer.bytes, to: path)
    }

    /// Reads the checkpoint at `path` with `body`, given which format it is (`format`, or an older one in
    /// `alsoAccepting`); nil when there is none.
    package static func load<T>(
        _ path: String, format: BinaryFormat, alsoAccepting older: [BinaryFormat] = [],
        body: (BinaryFormat, inout ByteReader) throws(ByteReader.Failure) -> T
    ) throws -> T? {
        guard let bytes = try AtomicFile.read(path) else { return nil }
        var reader = ByteReader(bytes)
        do {
            let found = try reader.read(format: format, alsoAccepting: older)
            return try body(found, &reader)
        } catch {
            throw unusable(path, error)
        }
    }

    /// The error for a checkpoint that cannot be resumed from, whatever part of it failed.
    package static func unusable(_ path: String, _ error: any Error) -> Unusable {
        Unusable(description: "cannot resume from checkpoint \(path): \(error); remove it to start over")
    }
}
