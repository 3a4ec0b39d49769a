/// A playback heartbeat: a player reports where it is in a movie, typically every 10 seconds.
public struct Heartbeat: Hashable, Sendable {
    /// The viewer, an opaque id of at most `InputLimits.maxIdBytes`.
    public var userId: String
    /// The content being played.
    public var movieId: String
    /// Length of the movie in seconds; always positive.
    public var duration: Int64
    /// Playback position in seconds, `0...duration`.
    public var position: Int64
    /// Event time, as reported by the player.
    public var timestamp: Timestamp

    /// A heartbeat as decoded; `HeartbeatDecoder` checks the bounds, this does not.
    public init(userId: String, movieId: String, duration: Int64, position: Int64, timestamp: Timestamp) {
        self.userId = userId
        self.movieId = movieId
        self.duration = duration
        self.position = position
        self.timestamp = timestamp
    }
}
