import Hummingbird
import ServiceLifecycle
import TallyCore
import TallyPipeline

/// The HTTP face of session traces: the fallback for clients without WebSockets (`POST …/events`), a long-poll for
/// followers (`GET …/events?after=N`), the tree by id, and a listing for operators.
struct SessionRoutes<Context: RequestContext>: Sendable {
    let ingest: SessionIngest
    let view: SessionsView
    let store: any SessionStore
    let clock: WallClock
    let renders: SessionRenderCache

    func register(on router: Router<Context>) {
        router.post("/sessions/{id}/events") { request, context in
            let id = try context.parameters.identifier("id", maxBytes: ingest.limits.maxNameBytes)
            let body = try await RequestBody(maxBytes: ingest.limits.maxMessageBytes).collect(request)
            switch try await ingest.handle(Array(body.readableBytesView), session: id) {
            case .accepted(let ack):
                return Response(
                    status: .accepted, headers: [.contentType: "application/json; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(bytes: SessionIngest.ackJSON(ack) + [0x0A])))
            case .refused(let error):
                throw APIError(error)
            }
        }
        router.get("/sessions/{id}/events") { request, context in
            let id = try context.parameters.identifier("id", maxBytes: ingest.limits.maxNameBytes)
            let after = try Self.integer(request, "after", default: 0, range: 0...Int.max)
            let timeout = try Self.integer(request, "timeout", default: 25, range: 0...60)
            guard var header = try await header(id) else { throw APIError.notFound("no session \(id)") }
            if header.entryCount <= after, header.end == nil, timeout > 0 {
                // A shutdown answers waiting followers at once (with what there is) instead of holding it up.
                await cancelWhenGracefulShutdown { await view.waitForChange(of: id, beyond: after, timeout: .seconds(timeout)) }
                header = try await self.header(id) ?? header
            }
            let entries = try await store.sessionEntries(id: id, after: after, limit: 1000)
            let status = header.status(now: clock.now(), abandonAfter: view.abandonAfter)
            return Response.json { json in
                json.beginObject()
                json.key("entries")
                json.beginArray()
                for (ordinal, entry) in entries {
                    json.beginObject()
                    json.member("ordinal", ordinal)
                    json.member("type", entry.kind.typeName)
                    json.member("timestamp", entry.timestamp)
                    if case .event(let name) = entry.kind { json.member("name", name) }
                    json.endObject()
                }
                json.endArray()
                json.member("total", header.entryCount)
                json.member("status", status.rawValue)
                json.endObject()
            }
        }
        router.get("/sessions/{id}") { _, context in
            let id = try context.parameters.identifier("id", maxBytes: ingest.limits.maxNameBytes)
            guard let header = try await header(id) else { throw APIError.notFound("no session \(id)") }
            let status = header.status(now: clock.now(), abandonAfter: view.abandonAfter)
            let version = SessionRenderCache.Version(entryCount: header.entryCount, status: status)
            let body = try await renders.body(id: id, version: version) { [store] in
                var bytes: [UInt8]
                if header.end != nil, let tree = try await store.sessionTree(id: id) {
                    bytes = tree
                } else {
                    let entries = try await store.sessionEntries(id: id, after: 0, limit: .max).map(\.entry)
                    bytes = []
                    SessionTree.write(header: header, events: entries, status: status, into: &bytes)
                }
                bytes.append(0x0A)
                return ByteBuffer(bytes: bytes)
            }
            return Response(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                body: .init(byteBuffer: body))
        }
        router.get("/sessions") { request, _ in
            let limit = try Self.integer(request, "limit", default: 50, range: 1...1000)
            var status: SessionHeader.Status?
            if let text = request.uri.queryParameters["status"] {
                guard let parsed = SessionHeader.Status(rawValue: String(text)) else {
                    throw APIError(
                        .badRequest, code: "invalid_value", message: "status must be open, complete or abandoned", field: "status")
                }
                status = parsed
            }
            let now = clock.now()
            let sessions = try await store.listSessions(status: status, limit: limit, now: now, abandonAfter: view.abandonAfter)
            return Response.json { json in
                json.beginObject()
                json.key("sessions")
                json.beginArray()
                for header in sessions {
                    json.beginObject()
                    json.member("id", header.id)
                    json.key("start")
                    if let start = header.start { json.value(start.timestamp) } else { json.null() }
                    json.key("end")
                    if let end = header.end { json.value(end.timestamp) } else { json.null() }
                    json.member("status", header.status(now: now, abandonAfter: view.abandonAfter).rawValue)
                    json.member("events", header.entryCount - (header.start == nil ? 0 : 1) - (header.end == nil ? 0 : 1))
                    json.member("lastActivity", ISO8601.format(header.lastActivity, style: .zulu))
                    json.endObject()
                }
                json.endArray()
                json.endObject()
            }
        }
    }

    /// From the store, like every query: the writer's header cache (`SessionsView`) is for planning, and on
    /// PostgreSQL another server may have moved the session on since this one cached it.
    private func header(_ id: String) async throws -> SessionHeader? {
        try await store.sessionHeader(id: id)
    }

    static func integer(_ request: Request, _ name: String, default fallback: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = request.uri.queryParameters[Substring(name)] else { return fallback }
        guard let value = Int(String(text)), range.contains(value) else {
            throw APIError(
                .badRequest, code: "invalid_value",
                message: "\(name) must be an integer from \(range.lowerBound) to \(range.upperBound)", field: name)
        }
        return value
    }
}
