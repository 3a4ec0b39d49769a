import Hummingbird
import TallyCore
import TallyPipeline

/// Watch-time, latest-moment and continue-watching answers, read from a `PlaybackReader`: the in-memory view on
/// SQLite, the shared rows on PostgreSQL.
struct PlaybackQueryRoutes<Context: RequestContext>: Sendable {
    let reader: any PlaybackReader
    let rules: PlaybackRules
    let limits: InputLimits

    func register(on router: Router<Context>) {
        router.get("/movies/{content}/watch-time") { _, context in
            let content = try context.parameters.identifier("content", maxBytes: limits.maxIdBytes)
            guard let totals = try await reader.totals(content: content) else {
                throw APIError.notFound("no events for movie \(content)")
            }
            return Response.json { $0.title(content, totals) }
        }
        router.get("/users/{user}/watch-time") { _, context in
            let user = try context.parameters.identifier("user", maxBytes: limits.maxIdBytes)
            guard let titles = try await reader.titlesAndStates(user: user) else {
                throw APIError.notFound("no events for user \(user)")
            }
            let summary = PlaybackQueries.watchTime(titles)
            return Response.json {
                $0.beginObject()
                $0.member("userId", user)
                $0.key("watchTimeSeconds")
                $0.seconds(fromMilliseconds: summary.total)
                $0.key("movies")
                $0.beginArray()
                for title in summary.titles {
                    $0.beginObject()
                    $0.member("movieId", title.content)
                    $0.key("watchTimeSeconds")
                    $0.seconds(fromMilliseconds: title.watchMilliseconds)
                    $0.endObject()
                }
                $0.endArray()
                $0.endObject()
            }
        }
        router.get("/users/{user}/movies/{content}/latest") { _, context in
            let key = PlaybackKey(
                user: try context.parameters.identifier("user", maxBytes: limits.maxIdBytes),
                content: try context.parameters.identifier("content", maxBytes: limits.maxIdBytes))
            guard let state = try await reader.state(key) else {
                throw APIError.notFound("no events for user \(key.user) in movie \(key.content)")
            }
            return Response.json { json in
                json.beginObject()
                json.member("userId", key.user)
                json.member("movieId", key.content)
                Self.writeMoment(state, into: &json)
                json.endObject()
            }
        }
        router.get("/users/{user}/continue-watching") { request, context in
            let user = try context.parameters.identifier("user", maxBytes: limits.maxIdBytes)
            let limit = try Self.limit(request)
            guard let titles = try await reader.titlesAndStates(user: user) else {
                throw APIError.notFound("no events for user \(user)")
            }
            let rows = PlaybackQueries.continueWatching(titles, rules: rules, limit: limit)
            return Response.json { json in
                json.beginObject()
                json.member("userId", user)
                json.key("movies")
                json.beginArray()
                for (content, state) in rows {
                    json.beginObject()
                    json.member("movieId", content)
                    Self.writeMoment(state, into: &json)
                    json.member("finished", state.isFinished(rules))
                    json.member("lastSeen", ISO8601.format(state.lastSeenAt, style: .zulu))
                    json.endObject()
                }
                json.endArray()
                json.endObject()
            }
        }
    }

    private static func writeMoment(_ state: PlaybackState, into json: inout JSONWriter) {
        json.member("position", state.position)
        json.member("maxPosition", state.maxPosition)
        json.key("duration")
        if let duration = state.duration { json.value(duration) } else { json.null() }
        json.key("completion")
        if let completion = state.completion { json.value((completion * 10_000).rounded() / 10_000) } else { json.null() }
        json.member("at", ISO8601.format(state.latestAt, style: .zulu))
    }

    private static func limit(_ request: Request) throws -> Int {
        guard let text = request.uri.queryParameters["limit"] else { return 20 }
        guard let value = Int(String(text)), (1...1000).contains(value) else {
            throw APIError(.badRequest, code: "invalid_value", message: "limit must be an integer from 1 to 1000", field: "limit")
        }
        return value
    }
}

extension JSONWriter {
    /// One title's totals as `/movies/{id}/watch-time` and `/movies/top` show them.
    mutating func title(_ content: String, _ totals: ContentTotals) {
        beginObject()
        member("movieId", content)
        key("watchTimeSeconds")
        seconds(fromMilliseconds: totals.watchMilliseconds)
        member("viewers", totals.viewers)
        member("events", totals.events)
        endObject()
    }
}
