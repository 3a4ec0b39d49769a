import Hummingbird
import Synchronization
import TallyCore
import TallyPipeline

/// `GET /movies/top`: the titles with the most watch time over a range of event time, and their viewers, worked out
/// from the heartbeat log by the writer's own rules (`ContentRanking`). A range whose log is too long to read per
/// request is refused before anything is read, and so is a ranking beyond the few allowed at once.
struct TopContentRoutes<Context: RequestContext>: Sendable {
    let log: any ResumeWindowStore
    let rules: PlaybackRules
    let clock: WallClock
    /// The most stored heartbeats one request may read.
    let maxHeartbeats: Int
    /// Rankings worked out at once.
    let gate: ConcurrencyGate

    func register(on router: Router<Context>) {
        router.get("/movies/top") { request, _ in
            let query: TopContentQuery
            do throws(FieldError) {
                query = try TopContentQuery.parse(
                    PercentDecoding.queryParameters(request.uri.query.map { $0[...] } ?? ""), now: clock.now())
            } catch {
                throw APIError(.badRequest, code: error.code.rawValue, message: error.message, field: error.field)
            }
            guard gate.enter() else {
                throw APIError(
                    .serviceUnavailable, code: "overloaded", message: "\(gate.limit) rankings are being worked out; retry shortly",
                    retryAfter: 1)
            }
            defer { gate.leave() }
            let toRead = try await log.heartbeatsToReplay(from: query.range.lowerBound)
            guard toRead <= maxHeartbeats else {
                throw APIError(
                    .badRequest, code: FieldError.Code.invalidValue.rawValue,
                    message: "the range reaches \(toRead) stored heartbeats, more than \(maxHeartbeats) per request: choose a later from",
                    field: "from")
            }
            let ranking = Mutex(ContentRanking(range: query.range, rules: rules))
            try await log.replayHeartbeats(from: query.range.lowerBound) { batch in ranking.withLock { $0.add(batch) } }
            let (top, counted) = ranking.withLock { ($0.top(query.limit), $0.heartbeats) }
            return Response.json {
                $0.beginObject()
                $0.member("from", ISO8601.format(query.range.lowerBound, style: .zulu))
                $0.member(
                    "to", ISO8601.format(Timestamp(millisecondsSinceEpoch: query.range.upperBound.millisecondsSinceEpoch - 1), style: .zulu)
                )
                $0.member("heartbeats", counted)
                $0.key("movies")
                $0.beginArray()
                for (content, totals) in top { $0.title(content, totals) }
                $0.endArray()
                $0.endObject()
            }
        }
    }
}
