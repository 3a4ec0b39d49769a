/// The last observed position of one movie for one user within one window.
public struct ResumePoint: Hashable, Sendable {
    /// The movie.
    public var movieId: String
    /// The last position, in seconds, reported in the window.
    public var position: Int64
    /// When the player reported it.
    public var timestamp: Timestamp
    /// Arrival order within the processor, to break timestamp ties in favour of the later arrival.
    public var arrival: UInt64

    /// A point from one heartbeat.
    public init(movieId: String, position: Int64, timestamp: Timestamp, arrival: UInt64) {
        self.movieId = movieId
        self.position = position
        self.timestamp = timestamp
        self.arrival = arrival
    }

    /// Latest-position rule: the largest event timestamp wins; on a tie, the later arrival.
    public func isSuperseded(by other: ResumePoint) -> Bool {
        (other.timestamp, other.arrival) > (timestamp, arrival)
    }
}

/// One emitted result: one user's resume points in one closed window.
public struct ResumeWindowOutput: Hashable, Sendable {
    /// The window the array is for.
    public var window: EventWindow
    /// The user the array is for; also its Kafka key.
    public var userId: String
    /// Ordered by timestamp, then movie id.
    public var points: [ResumePoint]
    /// 0 for the window's first emission; n for the n-th correction by late events (`--late=emit`).
    public var revision: Int

    /// One user's array for one window.
    public init(window: EventWindow, userId: String, points: [ResumePoint], revision: Int) {
        self.window = window
        self.userId = userId
        self.points = points
        self.revision = revision
    }
}
