/// The merge's state as bytes, so `tally count --merge --from kafka://…` can checkpoint it with its offsets: a
/// restarted merge still knows every shard's latest contribution to each window within the retention.
extension ShardMerger {
    /// Writes the merge's whole state, including the windows changed since the last flush.
    public func encode(into writer: inout ByteWriter) {
        writer.write(format: .mergeState)
        writer.write(retention.milliseconds)
        writer.write(horizon)
        writer.write(newestFinalEnd)
        writer.write(finestUnit?.description ?? "")
        let s = statistics
        for value in [s.lines, s.contributions, s.invalid, s.blank, s.superseded, s.rejectedTooOld, s.results] { writer.write(value) }
        writer.write(UInt32(windows.count))
        for (window, merged) in windows.sorted(by: { ($0.key.end, $0.key.start) < ($1.key.end, $1.key.start) }) {
            writer.write(window.unit.description)
            writer.write(window.start.millisecondsSinceEpoch)
            writer.write(window.end.millisecondsSinceEpoch)
            writer.write(merged.revision)
            writer.write(changed.contains(window))
            writer.write(UInt32(merged.contributions.count))
            for contribution in merged.contributions.values.sorted(by: { $0.shard < $1.shard }) {
                writer.write(contribution.shard)
                writer.write(contribution.frames)
                writer.write(contribution.final)
                writer.write(contribution.revision)
                writer.write(raw: contribution.sketch.serialized())
            }
        }
    }

    /// Reads `encode(into:)` bytes; throws when they are damaged or were written with another retention.
    public init(from reader: inout ByteReader, retention: Duration) throws {
        self.init(retention: retention)
        try reader.read(format: .mergeState)
        let saved = try reader.readInt64()
        guard saved == retention.milliseconds else {
            throw ByteReader.Failure(description: "the checkpoint was made with --retention \(saved) ms")
        }
        horizon = try reader.readInt64()
        newestFinalEnd = try reader.readInt64()
        let finest = try reader.readString()
        finestUnit = finest.isEmpty ? nil : WindowUnit(finest)
        statistics.lines = try reader.readInt()
        statistics.contributions = try reader.readInt()
        statistics.invalid = try reader.readInt()
        statistics.blank = try reader.readInt()
        statistics.superseded = try reader.readInt()
        statistics.rejectedTooOld = try reader.readInt()
        statistics.results = try reader.readInt()
        for _ in 0..<Int(try reader.readUInt32()) {
            guard let unit = WindowUnit(try reader.readString()) else { throw ByteReader.Failure(description: "unknown window unit") }
            let window = EventWindow(
                unit: unit, start: Timestamp(millisecondsSinceEpoch: try reader.readInt64()),
                end: Timestamp(millisecondsSinceEpoch: try reader.readInt64()))
            var merged = Merged()
            merged.revision = try reader.readInt()
            if try reader.readBool() { changed.insert(window) }
            for _ in 0..<Int(try reader.readUInt32()) {
                let shard = try reader.readString()
                let frames = try reader.readInt()
                let final = try reader.readBool()
                let revision = try reader.readInt()
                let sketch = try UniqueSketch(serialized: try reader.readRaw())
                merged.contributions[shard] = ShardContribution(
                    shard: shard, window: window, frames: frames, final: final,
                    revision: revision, sketch: sketch)
            }
            windows[window] = merged
        }
    }
}
