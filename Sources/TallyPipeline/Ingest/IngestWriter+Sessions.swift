import TallyCore

/// The session part of one batch: what to commit per session, and the answer to each request.
struct SessionBatchPlan {
    var commits: [SessionCommit] = []
    var outcomes: [(index: Int, outcome: Result<SessionAck, SessionError>)] = []
}

/// Thrown for session messages when the server was built without session support.
public struct SessionsDisabled: Error {}

extension IngestWriter {
    /// Plans every session message of the batch in queue order against the committed state plus the messages
    /// before it in this batch. A refused message changes nothing; the others of its session go ahead.
    func planSessions(
        _ requests: [(index: Int, id: String, message: SessionMessage, receivedAt: Timestamp)]
    ) async throws -> SessionBatchPlan {
        guard let sessions else { throw SessionsDisabled() }
        var staged: [String: SessionCommit] = [:]
        var committed: [String: SessionHeader] = [:]
        var order: [String] = []
        var plan = SessionBatchPlan()
        for request in requests {
            let header: SessionHeader
            if let commit = staged[request.id] {
                header = commit.header
            } else if !sessions.store.sharesSessionsWithOtherServers, let cached = sessions.view.header(request.id) {
                header = cached
            } else if let stored = try await sessions.store.sessionHeader(id: request.id) {
                header = stored
            } else {
                header = SessionHeader(id: request.id, lastActivity: request.receivedAt)
            }
            if committed[request.id] == nil { committed[request.id] = header }
            do {
                let next = try header.plan(request.message, receivedAt: request.receivedAt, limits: sessions.view.limits)
                if staged[request.id] == nil { order.append(request.id) }
                var commit = staged[request.id] ?? SessionCommit(header: header, stored: [])
                commit.header = next.header
                commit.stored += next.stored
                staged[request.id] = commit
                plan.outcomes.append(
                    (
                        request.index,
                        .success(
                            SessionAck(
                                accepted: next.accepted, total: next.header.entryCount, duplicate: next.duplicate,
                                complete: next.header.end != nil))
                    ))
            } catch {
                plan.outcomes.append((request.index, .failure(error)))
            }
        }
        for id in order {
            guard var commit = staged[id] else { continue }
            if commit.header.end != nil, committed[id]?.end == nil {
                commit.tree = try await materialize(commit, store: sessions.store)
            }
            if !commit.stored.isEmpty || commit.header != committed[id] { plan.commits.append(commit) }
        }
        return plan
    }

    /// The tree of a session completing in this batch: its stored entries plus the new ones.
    private func materialize(_ commit: SessionCommit, store: any SessionStore) async throws -> [UInt8] {
        let earlier = try await store.sessionEntries(id: commit.header.id, after: 0, limit: .max)
        let entries = earlier.map(\.entry) + commit.stored.map(\.entry)
        var bytes: [UInt8] = []
        SessionTree.write(header: commit.header, events: entries, status: .complete, into: &bytes)
        return bytes
    }
}
