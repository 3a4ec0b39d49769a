/// The unit of playback state: one user in one piece of content (`movieId` for heartbeats, `slug` for watch events).
public struct PlaybackKey: Hashable, Sendable, Comparable {
    public var user: String
    public var content: String

    public init(user: String, content: String) {
        self.user = user
        self.content = content
    }

    public static func < (lhs: PlaybackKey, rhs: PlaybackKey) -> Bool {
        (lhs.user, lhs.content) < (rhs.user, rhs.content)
    }
}
