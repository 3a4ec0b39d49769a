import TallyCore

/// One emitted resume array as the server keeps and serves it: the compact JSON line (without newline) plus the
/// window and revision it belongs to. Storing the rendered bytes means a query is a copy, never a re-render.
public struct ResumeRecord: Hashable, Sendable {
    /// The user the array is for.
    public var userId: String
    /// The window the array is for.
    public var window: EventWindow
    /// 0, or the correction's number when late heartbeats revised the window.
    public var revision: Int
    /// The array as compact JSON, without newline.
    public var json: [UInt8]
    /// The points `json` was rendered from, when the record comes from the processor (nil when it was read from a
    /// store): a store can keep a few bytes per point instead of the JSON and render it again (`init(_:)`).
    public var points: [ResumePoint]?

    /// A record from its parts.
    public init(userId: String, window: EventWindow, revision: Int, json: [UInt8]) {
        self.userId = userId
        self.window = window
        self.revision = revision
        self.json = json
    }

    /// Records are the same array when their user, window, revision and JSON are; `points` is a by-product.
    public static func == (lhs: ResumeRecord, rhs: ResumeRecord) -> Bool {
        lhs.userId == rhs.userId && lhs.window == rhs.window && lhs.revision == rhs.revision && lhs.json == rhs.json
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(userId)
        hasher.combine(window)
        hasher.combine(revision)
        hasher.combine(json)
    }

    /// A record as a store keeps it: the window's bounds in milliseconds and the array's JSON text.
    package init(stored userId: String, start: Int64, end: Int64, revision: Int, json: String) {
        let unit: WindowUnit = end - start == 60_000 ? .minute : .seconds((end - start) / 1000)
        let window = EventWindow(unit: unit, start: Timestamp(millisecondsSinceEpoch: start), end: Timestamp(millisecondsSinceEpoch: end))
        self.init(userId: userId, window: window, revision: revision, json: Array(json.utf8))
    }

    /// The record of an array the resume processor emitted.
    public init(_ output: ResumeWindowOutput) {
        var bytes: [UInt8] = []
        ResumeOutputFormat.compact.write(output, into: &bytes)
        bytes.removeLast()  // newline
        self.init(userId: output.userId, window: output.window, revision: output.revision, json: bytes)
        points = output.points
    }
}

extension ResumeRecord {
    /// The last record of each (user, window) in `records`, in the order of those last records: a batch whose
    /// heartbeats revise one window several times writes its row once.
    public static func latestPerWindow(_ records: [ResumeRecord]) -> [ResumeRecord] {
        guard records.count > 1 else { return records }
        struct WindowKey: Hashable {
            var user: String
            var start: Int64
        }
        var last: [WindowKey: Int] = [:]
        last.reserveCapacity(records.count)
        for (index, record) in records.enumerated() {
            last[WindowKey(user: record.userId, start: record.window.start.millisecondsSinceEpoch)] = index
        }
        guard last.count < records.count else { return records }
        return records.indices.filter { index in
            last[WindowKey(user: records[index].userId, start: records[index].window.start.millisecondsSinceEpoch)] == index
        }.map { records[$0] }
    }
}

/// Durable home of emitted resume windows, kept for the retention and looked up by (user, window start).
public protocol ResumeWindowStore: Sendable {
    /// Upserts records (a revision replaces the earlier array of the same user and window).
    func saveResumeWindows(_ records: [ResumeRecord]) async throws
    /// The record of `user` for the window starting at `start`, if any.
    func resumeWindow(user: String, start: Timestamp) async throws -> ResumeRecord?
    /// The user's latest stored window, which `GET /users/{user}/resume` answers: read from the store, so that
    /// memory does not grow with the users seen within the retention.
    func latestResumeWindow(user: String) async throws -> ResumeRecord?
    /// Deletes windows that started before `cutoff`; returns how many.
    func pruneResumeWindows(before cutoff: Timestamp) async throws -> Int
    /// The end of the newest stored window (`nil` when none), where a replay of the log resumes. Read as the end
    /// of the latest-starting windows, through the index on starts: a server's windows share one unit, so the
    /// latest to start is the latest to end, and a start-up read stays one index probe however many windows are kept.
    func lastResumeWindowEnd() async throws -> Timestamp?
    /// Largest heartbeat event time stored (`nil` when none).
    func latestHeartbeatTime() async throws -> Timestamp?
    /// At least as many heartbeats as `replayHeartbeats(from:)` would read, found without reading them: a query
    /// that replays a range (the top titles of a time range) refuses one that would read too many.
    func heartbeatsToReplay(from: Timestamp) async throws -> Int
    /// Every stored window starting at or after `from`, in batches, so that a restart puts closed windows back
    /// for late heartbeats to revise. Rows that cannot be read are skipped.
    func storedResumeWindows(startingFrom from: Timestamp, _ body: @Sendable ([ResumeRecord]) -> Void) async throws
    /// Heartbeats with event time at or after `from`, in commit order and in batches, to rebuild open windows
    /// after a restart.
    func replayHeartbeats(from: Timestamp, _ body: @Sendable ([Heartbeat]) -> Void) async throws
}

/// Everything the server needs from one backend.
public typealias TallyStorage = EventStore & PlaybackReader & ResumeWindowStore & SessionStore & AdAnalyticsStore & APIKeyStore
