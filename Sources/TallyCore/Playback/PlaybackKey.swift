/// One (user, content) pair: the unit playback state is kept for.
///
/// The writer looks a key up a dozen times per event (the batch's set, the hot set's generations, the plan, the
/// totals), so the key hashes its two strings once, when it is made, and every lookup after that hashes one integer.
public struct PlaybackKey: Hashable, Sendable, Comparable {
    /// The viewer.
    public let user: String
    /// The movie or slug: heartbeats' `movieId` and watch events' `slug` are the same notion.
    public let content: String
    /// Both strings hashed with this process's seed; never stored or sent anywhere.
    private let digest: Int

    /// The key of `user`'s playback of `content`.
    public init(user: String, content: String) {
        self.user = user
        self.content = content
        var hasher = Hasher()
        hasher.combine(user)
        hasher.combine(content)
        digest = hasher.finalize()
    }

    public static func == (lhs: PlaybackKey, rhs: PlaybackKey) -> Bool {
        lhs.digest == rhs.digest && lhs.user == rhs.user && lhs.content == rhs.content
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(digest)
    }

    public static func < (lhs: PlaybackKey, rhs: PlaybackKey) -> Bool {
        (lhs.user, lhs.content) < (rhs.user, rhs.content)
    }
}
