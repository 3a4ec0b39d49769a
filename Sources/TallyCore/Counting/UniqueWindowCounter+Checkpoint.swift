extension UniqueSketch {
    func encode(into writer: inout ByteWriter) {
        switch self {
        case .exact(let set):
            writer.write(UInt8(0))
            writer.write(UInt32(set.count))
            for user in set.sorted() { writer.write(user) }
        case .hll(let sketch):
            writer.write(UInt8(1))
            sketch.encode(into: &writer)
        }
    }

    init(from reader: inout ByteReader) throws {
        switch try reader.readUInt8() {
        case 0:
            let count = Int(try reader.readUInt32())
            var set = Set<String>(minimumCapacity: count)
            for _ in 0..<count { set.insert(try reader.readString()) }
            self = .exact(set)
        case 1:
            self = .hll(try HyperLogLog(from: &reader))
        default:
            throw ByteReader.Failure(description: "unknown sketch kind")
        }
    }
}

extension UniqueWindowCounter {
    /// A description of the options that shape the state; a checkpoint only resumes a run with the same one.
    public static func fingerprint(_ c: CountConfiguration) -> String {
        "units=\(c.units.map(\.description).joined(separator: ",")) exact=\(c.exact) precision=\(c.precision) "
            + "lateness=\(c.lateness.milliseconds) retention=\(c.retention.milliseconds) \(c.clock.fingerprint)"
    }

    /// Writes open and retained windows, the event clock with its held frames, and the statistics.
    public func encode(into writer: inout ByteWriter) {
        writer.write(Self.fingerprint(configuration))
        clock.encode(into: &writer) { frame, writer in
            writer.write(frame.hash)
            writer.write(raw: frame.user)
        }
        let s = statistics
        for value in [s.counted, s.late, s.rejectedTooOld, s.rejectedOutliers, s.windowsClosed, s.revisions] { writer.write(value) }
        for level in levels {
            for states in [level.open.all, level.closed] {
                writer.write(UInt32(states.count))
                for state in states {
                    writer.write(state.window.start.millisecondsSinceEpoch)
                    writer.write(state.window.end.millisecondsSinceEpoch)
                    state.sketch.encode(into: &writer)
                    writer.write(state.frames)
                    writer.write(state.revision)
                    writer.write(state.dirty)
                }
            }
        }
    }

    /// Reads `encode(into:)` bytes; throws when they are damaged or were written with other units, estimate or precision.
    public init(configuration: CountConfiguration, from reader: inout ByteReader) throws {
        self.init(configuration: configuration)
        try reader.readFingerprint(expecting: Self.fingerprint(configuration), of: "the checkpoint")
        clock = try EventClock(configuration: configuration.clock, from: &reader) { reader in
            HeldFrame(hash: try reader.readUInt64(), user: try reader.readRaw())
        }
        statistics.counted = try reader.readInt()
        statistics.late = try reader.readInt()
        statistics.rejectedTooOld = try reader.readInt()
        statistics.rejectedOutliers = try reader.readInt()
        statistics.handedOver = clock.handedOver
        statistics.windowsClosed = try reader.readInt()
        statistics.revisions = try reader.readInt()
        for level in levels.indices {
            for closed in [false, true] {
                let count = Int(try reader.readUInt32())
                var states: [WindowState] = []
                for _ in 0..<count {
                    let window = EventWindow(
                        unit: levels[level].unit, start: Timestamp(millisecondsSinceEpoch: try reader.readInt64()),
                        end: Timestamp(millisecondsSinceEpoch: try reader.readInt64()))
                    let sketch = try UniqueSketch(from: &reader)
                    states.append(
                        WindowState(
                            window: window, sketch: sketch, frames: try reader.readInt(),
                            revision: try reader.readInt(), dirty: try reader.readBool()))
                }
                if closed { levels[level].closed = states } else { levels[level].open = OpenWindows(states) }
            }
        }
    }
}
