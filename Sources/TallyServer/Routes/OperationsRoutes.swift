import Hummingbird
import Prometheus
import TallyStore

/// `GET /health` for load balancers and `GET /metrics` for Prometheus.
struct OperationsRoutes<Context: RequestContext>: Sendable {
    let store: any EventStore
    let registry: PrometheusCollectorRegistry

    func register(on router: Router<Context>) {
        router.get("/health") { _, context in
            do {
                try await store.checkHealth()
                // Rows that could not be loaded at start were set aside: the server serves, but an operator must look.
                let quarantined = try await store.quarantinedRows(limit: 0).count
                return Response.json {
                    $0.beginObject()
                    $0.member("status", quarantined == 0 ? "ok" : "degraded")
                    $0.member("quarantined_rows", quarantined)
                    $0.endObject()
                }
            } catch {
                context.logger.warning("health check failed", metadata: ["error": "\(error)"])
                return Response.json(.serviceUnavailable) {
                    $0.beginObject()
                    $0.member("status", "unavailable")
                    $0.key("error")
                    $0.beginObject()
                    $0.member("code", "store_unavailable")
                    $0.member("message", "the event store does not answer")
                    $0.endObject()
                    $0.endObject()
                }
            }
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
}
