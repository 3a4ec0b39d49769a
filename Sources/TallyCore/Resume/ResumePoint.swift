/// The last observed position of one movie for one user within one window.
public struct ResumePoint: Hashable, Sendable {
    public var movieId: String
    public var position: Int64
    public var timestamp: Timestamp
    /// Arrival order within the processor, to break timestamp ties in favour of the later arrival.
    public var arrival: UInt64

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
    public var window: EventWindow
    public var userId: String
    /// Ordered by timestamp, then movie id.
    public var points: [ResumePoint]
    /// 0 for the window's first emission; n for the n-th correction by late events (`--late=emit`).
    public var revision: Int

    public init(window: EventWindow, userId: String, points: [ResumePoint], revision: Int) {
        self.window = window
        self.userId = userId
        self.points = points
        self.revision = revision
    }
}
