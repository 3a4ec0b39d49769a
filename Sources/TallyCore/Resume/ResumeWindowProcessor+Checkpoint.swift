/// The resume processor's state as bytes, so `tally resume --from kafka://…` can checkpoint it next to the
/// partition offsets it covers: a restarted processor continues with the same open windows, the same closed
/// windows within the retention (and their revisions), and the same watermark, and so emits exactly what an
/// uninterrupted run would.
extension ResumeWindowProcessor {
    /// The options that shape the state; a checkpoint only resumes a run with the same ones.
    static func fingerprint(_ c: ResumeConfiguration) -> String {
        "window=\(c.window) late=\(c.late.rawValue) retention=\(c.retention.milliseconds) \(c.clock.fingerprint)"
    }

    /// Writes open and retained windows, the event clock with its held heartbeats, and the statistics.
    public func encode(into writer: inout ByteWriter) {
        writer.write(Self.fingerprint(configuration))
        clock.encode(into: &writer) { heartbeat, writer in
            writer.write(heartbeat.userId)
            writer.write(heartbeat.movieId)
            writer.write(heartbeat.duration)
            writer.write(heartbeat.position)
            writer.write(heartbeat.timestamp.millisecondsSinceEpoch)
        }
        let s = statistics
        for value in [s.events, s.late, s.lateRevised, s.lateDropped, s.windowsClosed, s.outputs, s.rejectedOutliers] {
            writer.write(value)
        }
        writer.write(arrivals)
        writer.write(UInt32(open.count))
        for (window, users) in open {
            Self.encode(window, users, into: &writer)
        }
        writer.write(UInt32(closed.count))
        for entry in closed.values.sorted(by: { $0.window < $1.window }) {
            Self.encode(entry.window, entry.users, into: &writer)
            writer.write(UInt32(entry.revisions.count))
            for (user, revision) in entry.revisions.sorted(by: { $0.key < $1.key }) {
                writer.write(user)
                writer.write(revision)
            }
        }
    }

    /// Reads `encode(into:)` bytes; throws when they are damaged or were written with another window length.
    public init(configuration: ResumeConfiguration, from reader: inout ByteReader) throws {
        self.init(configuration: configuration)
        try reader.readFingerprint(expecting: Self.fingerprint(configuration), of: "the checkpoint")
        clock = try EventClock(configuration: configuration.clock, from: &reader) { reader in
            let user = try reader.readString()
            let movie = try reader.readString()
            let duration = try reader.readInt64()
            return Heartbeat(
                userId: user, movieId: movie, duration: duration,
                position: try reader.readInt64(), timestamp: Timestamp(millisecondsSinceEpoch: try reader.readInt64()))
        }
        statistics.events = try reader.readInt()
        statistics.late = try reader.readInt()
        statistics.lateRevised = try reader.readInt()
        statistics.lateDropped = try reader.readInt()
        statistics.windowsClosed = try reader.readInt()
        statistics.outputs = try reader.readInt()
        statistics.rejectedOutliers = try reader.readInt()
        statistics.handedOver = clock.handedOver
        arrivals = try reader.readUInt64()
        for _ in 0..<Int(try reader.readUInt32()) {
            open.append(try Self.decodeWindow(configuration.window, from: &reader))
        }
        for _ in 0..<Int(try reader.readUInt32()) {
            let (window, users) = try Self.decodeWindow(configuration.window, from: &reader)
            var revisions: [String: Int] = [:]
            for _ in 0..<Int(try reader.readUInt32()) { revisions[try reader.readString()] = try reader.readInt() }
            closed[window.start] = ClosedWindow(window: window, users: users, revisions: revisions)
        }
    }

    private static func encode(_ window: EventWindow, _ users: WindowContents, into writer: inout ByteWriter) {
        writer.write(window.start.millisecondsSinceEpoch)
        writer.write(window.end.millisecondsSinceEpoch)
        writer.write(UInt32(users.count))
        for (user, points) in users.sorted(by: { $0.key < $1.key }) {
            writer.write(user)
            writer.write(UInt32(points.count))
            for point in points {
                writer.write(point.movieId)
                writer.write(point.position)
                writer.write(point.timestamp.millisecondsSinceEpoch)
                writer.write(point.arrival)
            }
        }
    }

    private static func decodeWindow(_ unit: WindowUnit, from reader: inout ByteReader) throws -> (EventWindow, WindowContents) {
        let window = EventWindow(
            unit: unit, start: Timestamp(millisecondsSinceEpoch: try reader.readInt64()),
            end: Timestamp(millisecondsSinceEpoch: try reader.readInt64()))
        var users: WindowContents = [:]
        for _ in 0..<Int(try reader.readUInt32()) {
            let user = try reader.readString()
            var points: [ResumePoint] = []
            for _ in 0..<Int(try reader.readUInt32()) {
                points.append(
                    ResumePoint(
                        movieId: try reader.readString(), position: try reader.readInt64(),
                        timestamp: Timestamp(millisecondsSinceEpoch: try reader.readInt64()),
                        arrival: try reader.readUInt64()))
            }
            users[user] = points
        }
        return (window, users)
    }
}
