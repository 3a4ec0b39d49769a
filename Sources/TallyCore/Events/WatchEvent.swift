/// A watch event from the event generator brief: `{"user":…,"slug":…,"at":…}`.
///
/// `at` is seconds; whether it is an increment of time watched or a playback position is a deployment choice
/// (`WatchAtMode`), because the brief can be read both ways.
public struct WatchEvent: Hashable, Sendable {
    public var user: String
    public var slug: String
    public var at: Int64

    public init(user: String, slug: String, at: Int64) {
        self.user = user
        self.slug = slug
        self.at = at
    }
}
