import Hummingbird
import Prometheus
import TallyCore
import TallyPipeline

/// `GET /health` for load balancers, `GET /metrics` for Prometheus, `GET /stats/ingest` for the dashboard's live
/// panels, and `GET /openapi.json` for client generators and API testers.
///
/// `/health` is 200 only while the store answers reads and takes writes (see `WriteHealth`): a full disk is
/// reported (503, `writes_failing`), and so is its end, even with no client traffic.
struct OperationsRoutes<Context: RequestContext>: Sendable {
    let store: any EventStore
    let writes: WriteHealth
    let stats: IngestStats
    let registry: PrometheusCollectorRegistry

    func register(on router: Router<Context>) {
        router.get("/health") { _, context in
            do {
                try await store.checkHealth()
            } catch {
                context.logger.warning("health check failed", metadata: ["error": "\(error)"])
                return unavailable(code: "store_unavailable", message: "the event store does not answer", writes: nil)
            }
            switch writes.status {
            case .ok:
                break
            case .failing(let reason):
                return unavailable(code: "writes_failing", message: "the event store refuses writes: \(reason)", writes: "failing")
            case .probeDue:
                do {
                    try await store.checkWritable()
                    writes.probed(nil)
                } catch {
                    writes.probed(error)
                    return unavailable(
                        code: "writes_failing", message: "the event store refuses writes: \(String(describing: error).prefix(300))",
                        writes: "failing")
                }
            }
            // Rows that could not be loaded at start were set aside: the server serves, but an operator must look.
            let quarantined = (try? await store.quarantinedRows(limit: 0).count) ?? 0
            return Response.json {
                $0.beginObject()
                $0.member("status", quarantined == 0 ? "ok" : "degraded")
                $0.member("writes", "ok")
                $0.member("quarantined_rows", quarantined)
                $0.endObject()
            }
        }
        router.get("/stats/ingest") { request, _ in
            let seconds = try Self.seconds(request)
            let snapshot = stats.snapshot(seconds: seconds)
            return Response.json {
                $0.beginObject()
                $0.member("seconds", seconds)
                $0.member("start", ISO8601.format(Timestamp(millisecondsSinceEpoch: snapshot.startMs), style: .zulu))
                $0.key("events")
                $0.beginObject()
                for kind in IngestStats.kinds { $0.member(kind, integers: snapshot.events[kind] ?? []) }
                $0.endObject()
                $0.member("commits", integers: snapshot.commits)
                $0.member("committedEvents", integers: snapshot.committedEvents)
                $0.key("errors")
                $0.beginObject()
                for (code, count) in snapshot.errors.sorted(by: { $0.key < $1.key }) { $0.member(code, count) }
                $0.endObject()
                $0.endObject()
            }
        }
        router.get("/openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
        router.get("/metrics") { _, _ in
            var buffer: [UInt8] = []
            buffer.reserveCapacity(16 * 1024)
            registry.emit(into: &buffer)
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
    }

    /// `?seconds=` of `/stats/ingest`: 1 to 300, default 300.
    private static func seconds(_ request: Request) throws -> Int {
        guard let text = request.uri.queryParameters["seconds"] else { return IngestStats.capacity }
        guard let value = Int(String(text)), (1...IngestStats.capacity).contains(value) else {
            throw APIError(.badRequest, code: "invalid_value", message: "seconds must be an integer from 1 to 300", field: "seconds")
        }
        return value
    }

    private func unavailable(code: String, message: String, writes: String?) -> Response {
        var response = Response.json(.serviceUnavailable) {
            $0.beginObject()
            $0.member("status", "unavailable")
            if let writes { $0.member("writes", writes) }
            $0.key("error")
            $0.beginObject()
            $0.member("code", code)
            $0.member("message", message)
            $0.endObject()
            $0.endObject()
        }
        response.headers[.retryAfter] = "1"
        return response
    }
}
