import TallyCore
import TallyPipeline

/// One commit's derived state as one `derived_journal` row (`TDJ1`): the playback states it set and the resume
/// arrays it emitted. Appending one row per commit costs a fraction of upserting a row per key and window; the
/// backlog takes the rows to their tables later, and a store that opens after a crash applies what is left.
///
/// Numbers are varints and arrays are kept as their points, not their JSON (rendered again when read): the row's
/// bytes are most of what a commit writes.
struct DerivedJournalEntry {
    /// The states the commit set, each the key's newest.
    var states: [(key: PlaybackKey, state: PlaybackState)] = []
    /// The arrays the commit emitted, in emission order.
    var records: [ResumeRecord] = []

    private enum ArrayForm: UInt8 {
        case points = 0
        case json = 1
    }

    /// The row's bytes for `states` and `records`.
    static func encode(states: [PlaybackKey: PlaybackState], records: [ResumeRecord]) -> [UInt8] {
        var writer = ByteWriter()
        writer.reserveCapacity(8 + 48 * (states.count + records.count))
        writer.write(format: .derivedJournal)
        writer.write(varint: UInt64(states.count))
        for (key, state) in states {
            writer.write(compact: key.user)
            writer.write(compact: key.content)
            writer.write(zigzag: state.position)
            writer.write(zigzag: state.latestAt.millisecondsSinceEpoch)
            writer.write(zigzag: state.lastSeenAt.millisecondsSinceEpoch)
            writer.write(zigzag: state.maxPosition)
            writer.write(state.duration != nil)
            writer.write(zigzag: state.duration ?? 0)
            writer.write(zigzag: state.watchMilliseconds)
            writer.write(zigzag: state.events)
        }
        writer.write(varint: UInt64(records.count))
        for record in records {
            writer.write(compact: record.userId)
            writer.write(zigzag: record.window.start.millisecondsSinceEpoch)
            writer.write(zigzag: record.window.end.millisecondsSinceEpoch)
            writer.write(varint: UInt64(max(0, record.revision)))
            if let points = record.points {
                writer.write(ArrayForm.points.rawValue)
                writer.write(varint: UInt64(points.count))
                for point in points {
                    writer.write(compact: point.movieId)
                    writer.write(zigzag: point.position)
                    writer.write(zigzag: point.timestamp.millisecondsSinceEpoch)
                }
            } else {
                writer.write(ArrayForm.json.rawValue)
                writer.write(compactRaw: record.json)
            }
        }
        return writer.bytes
    }

    /// Reads what `encode` wrote; throws for bytes it did not write (truncated, another format, trailing bytes, a
    /// window that is not a whole number of seconds long), so a damaged row is set aside, never applied.
    static func decode(_ bytes: [UInt8]) throws(ByteReader.Failure) -> DerivedJournalEntry {
        var reader = ByteReader(bytes)
        try reader.read(format: .derivedJournal)
        var entry = DerivedJournalEntry()
        for _ in 0..<(try reader.readVarint()) {
            let key = PlaybackKey(user: try reader.readCompactString(), content: try reader.readCompactString())
            let position = try reader.readZigzag()
            let latestMs = try reader.readZigzag()
            let lastSeenMs = try reader.readZigzag()
            let maxPosition = try reader.readZigzag()
            let hasDuration = try reader.readBool()
            let duration = try reader.readZigzag()
            let state = PlaybackState(
                position: position, latestAt: Timestamp(millisecondsSinceEpoch: latestMs),
                lastSeenAt: Timestamp(millisecondsSinceEpoch: lastSeenMs), maxPosition: maxPosition,
                duration: hasDuration ? duration : nil, watchMilliseconds: try reader.readZigzag(), events: try reader.readZigzag())
            entry.states.append((key, state))
        }
        for _ in 0..<(try reader.readVarint()) {
            entry.records.append(try record(&reader))
        }
        guard reader.isAtEnd else { throw ByteReader.Failure(description: "trailing bytes at byte \(reader.offset)") }
        return entry
    }

    private static func record(_ reader: inout ByteReader) throws(ByteReader.Failure) -> ResumeRecord {
        let user = try reader.readCompactString()
        let start = try reader.readZigzag()
        let end = try reader.readZigzag()
        let revision = try reader.readVarint()
        guard end > start, (end - start) % 1000 == 0, revision <= UInt64(Int32.max) else {
            throw ByteReader.Failure(
                description: "a resume window of \(user) is not a whole number of seconds long, or its revision is out of range")
        }
        let stored = ResumeRecord(stored: user, start: start, end: end, revision: Int(revision), json: "")
        switch ArrayForm(rawValue: try reader.readUInt8()) {
        case .points:
            var points: [ResumePoint] = []
            for _ in 0..<(try reader.readVarint()) {
                let movie = try reader.readCompactString()
                let position = try reader.readZigzag()
                let time = Timestamp(millisecondsSinceEpoch: try reader.readZigzag())
                points.append(ResumePoint(movieId: movie, position: position, timestamp: time, arrival: 0))
            }
            return ResumeRecord(ResumeWindowOutput(window: stored.window, userId: user, points: points, revision: Int(revision)))
        case .json:
            return ResumeRecord(userId: user, window: stored.window, revision: Int(revision), json: try reader.readCompactRaw())
        case nil:
            throw ByteReader.Failure(description: "an array of \(user) in an unknown form at byte \(reader.offset)")
        }
    }
}
