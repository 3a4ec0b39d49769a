/// One line of a `tally count` shard (`--shard ID`): a window's result as that shard saw it, with its sketch.
public struct ShardContribution: Hashable, Sendable {
    /// The shard's stable id (`--shard`): a restarted shard replaces its own earlier contributions.
    public var shard: String
    /// The window the contribution is for.
    public var window: EventWindow
    /// Frames the shard counted in the window.
    public var frames: Int
    /// Whether the shard closed the window (false: a provisional update).
    public var final: Bool
    /// The shard's revision of the window: a higher one replaces a lower one.
    public var revision: Int
    /// The window's users as the shard saw them, to be merged with other shards'.
    public var sketch: UniqueSketch

    /// Why a line is not a shard contribution (not JSON, a missing member, a sketch that cannot be decoded).
    public struct Invalid: Error, Hashable, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Parses a shard line; every member the merge needs must be there with the right type.
    public static func parse(_ line: UnsafeRawBufferPointer) throws(Invalid) -> ShardContribution {
        var shard: String?
        var unit: WindowUnit?
        var start: Timestamp?
        var end: Timestamp?
        var frames: Int?
        var final: Bool?
        var revision: Int?
        var sketch: UniqueSketch?
        do {
            var reader = JSONReader(line)
            reader.skipWhitespace()
            try reader.readObject { key, reader in
                let value = try reader.readValue()
                switch (key, value) {
                case ("shard", .string(let text)): shard = text
                case ("window", .string(let text)): unit = WindowUnit(text)
                case ("start", .string(let text)): start = try? ISO8601.parse(text)
                case ("end", .string(let text)): end = try? ISO8601.parse(text)
                case ("frames", .integer(let n)) where n >= 0: frames = Int(n)
                case ("final", .bool(let flag)): final = flag
                case ("revision", .integer(let n)) where n >= 0: revision = Int(n)
                case ("sketch", .string(let text)): sketch = try UniqueSketch(serialized: try Base64.decode(text.utf8))
                default: break
                }
            }
            guard reader.peek() == nil else { throw Invalid(description: "unexpected data after the JSON object") }
        } catch let error as Invalid {
            throw error
        } catch let error as JSONSyntaxError {
            throw Invalid(description: "not valid JSON: \(error)")
        } catch {
            throw Invalid(description: "sketch: \(error)")
        }
        let missing = [
            ("shard", shard == nil), ("window", unit == nil), ("start", start == nil), ("end", end == nil),
            ("frames", frames == nil), ("final", final == nil), ("revision", revision == nil), ("sketch", sketch == nil),
        ]
        .filter(\.1).map(\.0)
        guard missing.isEmpty, let shard, let unit, let start, let end, let frames, let final, let revision, let sketch else {
            throw Invalid(
                description: "missing or invalid: \(missing.joined(separator: ", ")) (is this the output of tally count --shard?)")
        }
        guard unit.window(containing: start) == EventWindow(unit: unit, start: start, end: end) else {
            throw Invalid(description: "start and end are not a \(unit) window")
        }
        return ShardContribution(
            shard: shard, window: EventWindow(unit: unit, start: start, end: end), frames: frames,
            final: final, revision: revision, sketch: sketch)
    }
}
