import Hummingbird
import Metrics
import TallyCore
import TallyPipeline

/// `POST /analytics?timestamp=…&user=…&click|impression` (204 once committed) and `GET /analytics?timestamp=…`
/// (the hour's `unique_users`, `clicks` and `impressions` as `text/plain`).
struct AnalyticsRoutes<Context: RequestContext>: Sendable {
    let writer: IngestWriter
    let store: any AdAnalyticsStore
    let parser: AdQueryParser
    let skew: ClockSkewGuard
    let clock: WallClock

    func register(on router: Router<Context>) {
        router.post("/analytics") { request, _ in
            let event: AdEvent
            do throws(FieldError) {
                event = try parser.event(Self.parameters(request))
                if let error = skew.check(event.timestamp, now: clock.now()) { throw error }
            } catch {
                IngestMetrics.adRejected.increment()
                throw APIError(.badRequest, code: error.code.rawValue, message: error.message, field: error.field)
            }
            try await writer.submit(ads: [event])
            IngestMetrics.adAccepted.increment()
            return Response(status: .noContent)
        }
        router.get("/analytics") { request, _ in
            let hour: AdHour
            do throws(FieldError) {
                hour = try parser.hour(Self.parameters(request))
            } catch {
                throw APIError(.badRequest, code: error.code.rawValue, message: error.message, field: error.field)
            }
            let counts = try await store.adCounts(hour)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: counts.report)))
        }
    }

    /// Decoded strictly: `%ZZ` or invalid UTF-8 is a 400 naming the parameter, never a value kept as sent.
    private static func parameters(_ request: Request) throws(FieldError) -> [(name: Substring, value: Substring)] {
        try PercentDecoding.queryParameters(request.uri.query.map { $0[...] } ?? "")
    }
}
