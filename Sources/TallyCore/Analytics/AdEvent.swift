/// What a user did with an ad.
public enum AdInteraction: String, Hashable, Sendable, CaseIterable {
    /// The user clicked the ad.
    case click
    /// The ad was shown to the user.
    case impression
}

/// One `POST /analytics` event: a user's click or impression at a moment.
public struct AdEvent: Hashable, Sendable {
    /// When the client says the interaction happened; it decides the hour it counts in.
    public var timestamp: Timestamp
    /// The user id, counted once per hour however many events it sends.
    public var user: String
    /// A click or an impression.
    public var interaction: AdInteraction

    /// An event as `AdQueryParser` reads it from the query string.
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
    /// The length of an hour in milliseconds.
    public static let milliseconds: Int64 = 3_600_000

    /// Milliseconds since the epoch of the hour's first millisecond.
    public var startMilliseconds: Int64

    /// The hour `timestamp` falls in.
    public init(containing timestamp: Timestamp) {
        let ms = timestamp.millisecondsSinceEpoch
        // Floor division, so that instants before 1970 would also land in the hour that contains them.
        startMilliseconds = ms - ((ms % Self.milliseconds) + Self.milliseconds) % Self.milliseconds
    }

    /// The hour containing `startMilliseconds` (rounded down to its start, so any stored value is a valid hour).
    public init(startMilliseconds: Int64) {
        self.init(containing: Timestamp(millisecondsSinceEpoch: startMilliseconds))
    }

    public static func < (lhs: AdHour, rhs: AdHour) -> Bool { lhs.startMilliseconds < rhs.startMilliseconds }
}
