import Hummingbird
import Metrics
import TallyCore
import TallyPipeline

/// `POST /analytics?timestamp=…&user=…&click|impression` (204 once committed), `GET /analytics?timestamp=…`
/// (the hour's `unique_users`, `clicks` and `impressions` as `text/plain`) and `GET /analytics/hours` (a range of
/// hours as JSON, for the dashboard's chart).
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
        registerSeries(on: router)
    }

    /// `GET /analytics/hours`: every hour of the range, ascending, zeros included, as JSON for charts.
    func registerSeries(on router: Router<Context>) {
        router.get("/analytics/hours") { request, _ in
            let hours: ClosedRange<AdHour>
            do throws(FieldError) {
                hours = try parser.hours(Self.parameters(request), now: clock.now())
            } catch {
                throw APIError(.badRequest, code: error.code.rawValue, message: error.message, field: error.field)
            }
            let counts = try await store.adCounts(hours)
            return Response.json {
                $0.beginObject()
                $0.key("hours")
                $0.beginArray()
                var start = hours.lowerBound.startMilliseconds
                while start <= hours.upperBound.startMilliseconds {
                    let hour = counts[AdHour(startMilliseconds: start)] ?? .zero
                    $0.beginObject()
                    $0.member("hour", ISO8601.format(Timestamp(millisecondsSinceEpoch: start), style: .zulu))
                    $0.member("uniqueUsers", hour.uniqueUsers)
                    $0.member("clicks", hour.clicks)
                    $0.member("impressions", hour.impressions)
                    $0.endObject()
                    start += AdHour.milliseconds
                }
                $0.endArray()
                $0.endObject()
            }
        }
    }

    /// Decoded strictly: `%ZZ` or invalid UTF-8 is a 400 naming the parameter, never a value kept as sent.
    private static func parameters(_ request: Request) throws(FieldError) -> [(name: Substring, value: Substring)] {
        try PercentDecoding.queryParameters(request.uri.query.map { $0[...] } ?? "")
    }
}
