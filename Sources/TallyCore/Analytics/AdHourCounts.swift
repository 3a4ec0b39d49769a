/// The answer for one hour: distinct users, clicks and impressions. Exact, not estimated.
public struct AdHourCounts: Hashable, Sendable {
    /// Distinct users with at least one event in the hour: exact, not estimated.
    public var uniqueUsers: Int64
    /// Click events in the hour (every event counts, repeated ones too).
    public var clicks: Int64
    /// Impression events in the hour.
    public var impressions: Int64

    /// Counts as read from a store.
    public init(uniqueUsers: Int64 = 0, clicks: Int64 = 0, impressions: Int64 = 0) {
        self.uniqueUsers = uniqueUsers
        self.clicks = clicks
        self.impressions = impressions
    }

    /// An hour without events.
    public static let zero = AdHourCounts()

    /// The brief's `text/plain` body, with its trailing newline.
    public var report: String {
        "unique_users,\(uniqueUsers)\nclicks,\(clicks)\nimpressions,\(impressions)\n"
    }

    /// Adds one event's click or impression (not its user: distinctness is the store's job).
    public mutating func count(_ interaction: AdInteraction) {
        switch interaction {
        case .click: clicks += 1
        case .impression: impressions += 1
        }
    }
}
