/// The small part of a session's state that decides whether a message is accepted: its start and end, how many
/// entries it holds and the last message number. Events themselves live in the store, so validating a message
/// never copies a session's history.
public struct SessionHeader: Hashable, Sendable {
    /// What a session read reports.
    public enum Status: String, Sendable, CaseIterable {
        /// Started, not ended, active within the abandon timeout.
        case open
        /// Ended: the tree is final.
        case complete
        /// Started, not ended, and silent for longer than the abandon timeout.
        case abandoned
    }

    /// The session id the start entry named.
    public let id: String
    /// The `SESSION_START` entry, once received.
    public var start: SessionEntry?
    /// The `SESSION_END` entry, once received: no entries are accepted after it.
    public var end: SessionEntry?
    /// Entries stored (idempotent repeats of START/END are not stored again).
    public var entryCount: Int
    /// `seq` of the last applied numbered message; numbered messages are applied contiguously from 1.
    public var lastSeq: Int64?
    /// Arrival of the last accepted message.
    public var lastActivity: Timestamp

    /// A header as stored, or a new session's.
    public init(
        id: String, start: SessionEntry? = nil, end: SessionEntry? = nil, entryCount: Int = 0,
        lastSeq: Int64? = nil, lastActivity: Timestamp
    ) {
        self.id = id
        self.start = start
        self.end = end
        self.entryCount = entryCount
        self.lastSeq = lastSeq
        self.lastActivity = lastActivity
    }

    /// Complete once ended; abandoned after `abandonAfter` without a message; open otherwise.
    public func status(now: Timestamp, abandonAfter: Duration) -> Status {
        if end != nil { return .complete }
        return now.millisecondsSinceEpoch - lastActivity.millisecondsSinceEpoch > abandonAfter.milliseconds ? .abandoned : .open
    }
}

/// The outcome of a valid message: what to store and what to acknowledge.
public struct SessionPlan: Hashable, Sendable {
    /// The header after the message.
    public var header: SessionHeader
    /// Entries to append, with their 1-based ordinals in the session.
    public var stored: [(ordinal: Int, entry: SessionEntry)]
    /// True when the message's `seq` was already applied: nothing is stored, the ack repeats the totals.
    public var duplicate: Bool

    /// Entries stored by this message.
    public var accepted: Int { stored.count }

    public static func == (lhs: SessionPlan, rhs: SessionPlan) -> Bool {
        lhs.header == rhs.header && lhs.duplicate == rhs.duplicate
            && lhs.stored.map(\.ordinal) == rhs.stored.map(\.ordinal) && lhs.stored.map(\.entry) == rhs.stored.map(\.entry)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(header)
        hasher.combine(duplicate)
    }
}

extension SessionHeader {
    /// Checks `message` against this session and plans it, all or nothing. The rules (each documented in
    /// docs/api.md): the first entry of a session is `SESSION_START`; a repeated START or END with the same
    /// timestamp is a no-op and with another is refused; nothing follows `SESSION_END`; ids must be the stream's.
    public func plan(_ message: SessionMessage, receivedAt: Timestamp, limits: SessionLimits) throws(SessionError) -> SessionPlan {
        // Numbered messages are applied in order without gaps (1, 2, 3, …), so every seq at or below the last
        // applied one was stored and its resend can be acknowledged as a duplicate; a seq further on is refused
        // with the one expected, and the client resends from there.
        if let seq = message.seq {
            let expected = (lastSeq ?? 0) + 1
            if seq < expected { return SessionPlan(header: self, stored: [], duplicate: true) }
            if seq > expected {
                throw SessionError(.seqGap, "seq \(seq) is ahead of this session: the next seq must be \(expected)", field: "seq")
            }
        }
        var next = self
        var stored: [(ordinal: Int, entry: SessionEntry)] = []
        for (index, entry) in message.entries.enumerated() {
            switch entry.kind {
            case .start(let sessionId):
                try checkId(sessionId, index: index)
                if try isRepeat(of: next.start, entry, index: index, code: .conflictingStart, verb: "started") { continue }
                guard next.entryCount + stored.count == 0 else {
                    throw SessionError(.notStarted, "entry \(index): SESSION_START must be the first entry", entry: index)
                }
                next.start = entry
            case .end(let sessionId):
                try checkId(sessionId, index: index)
                try checkStarted(next, index: index)
                if try isRepeat(of: next.end, entry, index: index, code: .conflictingEnd, verb: "ended") { continue }
                next.end = entry
            case .event:
                try checkStarted(next, index: index)
                guard next.end == nil else {
                    throw SessionError(
                        .sessionComplete,
                        "entry \(index): session \(id) is complete; entries after SESSION_END are refused", entry: index)
                }
            }
            stored.append((next.entryCount + stored.count + 1, entry))
        }
        guard next.entryCount + stored.count <= limits.maxEntriesPerSession else {
            throw SessionError(.sessionTooLarge, "a session may hold at most \(limits.maxEntriesPerSession) entries")
        }
        next.entryCount += stored.count
        next.lastSeq = message.seq ?? next.lastSeq
        next.lastActivity = max(next.lastActivity, receivedAt)
        return SessionPlan(header: next, stored: stored, duplicate: false)
    }

    /// True when `entry` repeats the session's existing START or END exactly (a no-op); throws when it repeats it
    /// with another timestamp.
    private func isRepeat(
        of existing: SessionEntry?, _ entry: SessionEntry, index: Int, code: SessionError.Code,
        verb: String
    ) throws(SessionError) -> Bool {
        guard let existing else { return false }
        guard existing.timestamp == entry.timestamp else {
            throw SessionError(
                code,
                "entry \(index): the session already \(verb) at \(existing.timestamp); a \(entry.kind.typeName) with another timestamp is refused",
                entry: index, field: "timestamp")
        }
        return true
    }

    private func checkId(_ sessionId: String, index: Int) throws(SessionError) {
        guard sessionId == id else {
            throw SessionError(
                .sessionIdMismatch,
                "entry \(index): session_id \(sessionId) is not this stream's session (\(id))", entry: index, field: "session_id")
        }
    }

    private func checkStarted(_ header: SessionHeader, index: Int) throws(SessionError) {
        guard header.start != nil else {
            throw SessionError(.notStarted, "entry \(index): the first entry of a session must be SESSION_START", entry: index)
        }
    }
}
