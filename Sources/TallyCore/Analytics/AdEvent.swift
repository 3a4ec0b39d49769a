/// What a user did with an ad.
public enum AdInteraction: String, Hashable, Sendable, CaseIterable {
    case click
    case impression
}

/// One `POST /analytics` event: a user's click or impression at a moment.
public struct AdEvent: Hashable, Sendable {
    public var timestamp: Timestamp
    public var user: String
    public var interaction: AdInteraction

    public init(timestamp: Timestamp, user: String, interaction: AdInteraction) {
        self.timestamp = timestamp
        self.user = user
        self.interaction = interaction
    }

    /// The UTC hour the event counts in.
    public var hour: AdHour { AdHour(containing: timestamp) }
}

/// One UTC hour, the unit ad analytics answers in. The boundary is exact to the millisecond: an event at
/// 13:59:59.999 is in the 13:00 hour, one at 14:00:00.000 in the next.
public struct AdHour: Hashable, Sendable, Comparable {
    public static let milliseconds: Int64 = 3_600_000

    /// Milliseconds since the epoch of the hour's first millisecond.
    public var startMilliseconds: Int64

    public init(containing timestamp: Timestamp) {
        let ms = timestamp.millisecondsSinceEpoch
        // Floor division, so that instants before 1970 would also land in the hour that contains them.
        startMilliseconds = ms - ((ms % Self.milliseconds) + Self.milliseconds) % Self.milliseconds
    }

    public init(startMilliseconds: Int64) {
        self.init(containing: Timestamp(millisecondsSinceEpoch: startMilliseconds))
    }

    public static func < (lhs: AdHour, rhs: AdHour) -> Bool { lhs.startMilliseconds < rhs.startMilliseconds }
}
