/// A watch event from the event generator brief: `{"user":…,"slug":…,"at":…}`.
///
/// `at` is seconds; whether it is an increment of time watched or a playback position is a deployment choice
/// (`WatchAtMode`), because the brief can be read both ways.
public struct WatchEvent: Hashable, Sendable {
    /// The viewer.
    public var user: String
    /// The content, by its slug.
    public var slug: String
    /// Seconds: watched since the last event, or the playback position (`WatchAtMode`).
    public var at: Int64

    /// A watch event as decoded; `WatchEventDecoder` checks the bounds, this does not.
    public init(user: String, slug: String, at: Int64) {
        self.user = user
        self.slug = slug
        self.at = at
    }
}
