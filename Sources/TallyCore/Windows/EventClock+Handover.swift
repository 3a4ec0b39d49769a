/// What one partition's clock hands to the partition's next owner when a consumer group moves it: its frontier, where
/// it started, and the first distinct keys it saw. A Kafka consumer writes it into the metadata of the offsets it
/// commits, so it travels with the partition through the group coordinator, whichever member reads the partition
/// next. The events the clock held are not in it: the committed offset stops at the oldest of them, so the next owner
/// reads them again.
public struct PartitionClockHandover: Hashable, Sendable {
    /// The partition's newest trusted event time, in milliseconds since the epoch.
    public var frontier: Int64
    /// Its first trusted event time (where a partition that has not delivered yet is assumed to start).
    public var firstTime: Int64
    /// Up to `corroboration` distinct keys: how many users a jump needs in this partition.
    public var keys: [UInt64]

    /// A handover as decoded from an offset's metadata.
    public init(frontier: Int64, firstTime: Int64, keys: [UInt64]) {
        self.frontier = frontier
        self.firstTime = firstTime
        self.keys = keys
    }

    static let prefix = "tally-clock/1"

    /// `tally-clock/1 frontier=MS first=MS keys=HEX,HEX,HEX`: short (Kafka's default limit for commit metadata is
    /// 4 KiB), versioned, and readable in `kafka-consumer-groups --describe`.
    public var encoded: String {
        "\(Self.prefix) frontier=\(frontier) first=\(firstTime) keys=\(keys.map { String($0, radix: 16) }.joined(separator: ","))"
    }

    /// Parses `encoded`; nil for anything else (metadata written by other tools, or an older Tally), so a stranger's
    /// metadata makes the partition start afresh rather than fail.
    public init?(encoded: String) {
        let fields = encoded.split(separator: " ")
        guard fields.first == Substring(Self.prefix) else { return nil }
        var values: [Substring: Substring] = [:]
        for field in fields.dropFirst() {
            guard let equals = field.firstIndex(of: "=") else { return nil }
            values[field[..<equals]] = field[field.index(after: equals)...]
        }
        guard let frontier = values["frontier"].flatMap({ Int64($0) }),
            let first = values["first"].flatMap({ Int64($0) }),
            let keyList = values["keys"]
        else { return nil }
        var keys: [UInt64] = []
        for text in keyList.split(separator: ",") {
            guard let key = UInt64(text, radix: 16) else { return nil }
            keys.append(key)
        }
        guard frontier != .min, first <= frontier else { return nil }
        self.init(frontier: frontier, firstTime: first, keys: keys)
    }
}

extension EventClock {
    /// The partition's clock for its next owner; nil while it has no trusted time (nothing to hand over).
    public func handover(partition: Int) -> PartitionClockHandover? {
        guard let state = partitions.first(where: { $0.id == partition }), state.established, state.frontier != .min else { return nil }
        return PartitionClockHandover(frontier: state.frontier, firstTime: state.firstTime, keys: state.keys)
    }

    /// Registers a partition that another owner's clock has been keeping: its time continues from `handover`
    /// instead of being established afresh, so its first events are judged against the frontier the partition
    /// had reached (an outlier is held at once, in-order events are applied at once). A frontier this clock
    /// already passed in the partition is kept. Events held before the handover arrived (a consumer may deliver a
    /// partition's first records before it learns of the assignment) within reach of the frontier are released:
    /// apply them (`popReleased`) before moving the watermark (`refresh`).
    public mutating func adopt(_ handover: PartitionClockHandover, partition: Int, clockMs: Int64) {
        register(partition: partition, clockMs: clockMs)
        let index = self.index(of: partition)
        for key in handover.keys where !partitions[index].keysComplete {
            if !partitions[index].keys.contains(key) { partitions[index].keys.append(key) }
            partitions[index].keysComplete = partitions[index].keys.count >= configuration.corroboration
        }
        guard handover.frontier > partitions[index].frontier else { return }
        if partitions[index].firstTime == .min || handover.firstTime < partitions[index].firstTime {
            partitions[index].firstTime = handover.firstTime
        }
        partitions[index].established = true
        moveFrontier(index, to: handover.frontier)
    }
}
