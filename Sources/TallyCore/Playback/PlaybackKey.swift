/// The unit of playback state: one user in one piece of content (`movieId` for heartbeats, `slug` for watch events).
public struct PlaybackKey: Hashable, Sendable, Comparable {
    /// The viewer.
    public var user: String
    /// The movie or slug: heartbeats' `movieId` and watch events' `slug` are the same notion.
    public var content: String

    /// The key of `user`'s playback of `content`.
    public init(user: String, content: String) {
        self.user = user
        self.content = content
    }

    public static func < (lhs: PlaybackKey, rhs: PlaybackKey) -> Bool {
        (lhs.user, lhs.content) < (rhs.user, rhs.content)
    }
}
