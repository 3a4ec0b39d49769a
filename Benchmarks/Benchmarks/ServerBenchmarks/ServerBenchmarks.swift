import Benchmark
import TallyCore
import TallyPipeline
import TallyServer

/// A ring of 1,000 ingest keys, as a server with many client apps would hold, and one of them to send.
let keys: [APIKeyToken] = (0..<1_000).map { _ in APIKeyToken.generate() }
let ring: KeyRing = {
    let ring = KeyRing()
    ring.install(
        keys.map {
            APIKeyRecord(id: $0.id, name: "app", scope: .ingest, secretDigest: $0.secretDigest, createdAt: .init(millisecondsSinceEpoch: 0))
        })
    return ring
}()
let check = AccessCheck(ring: ring, clock: .init { Timestamp(millisecondsSinceEpoch: 1_700_000_000_000) })
let header = "Bearer " + keys[500].text

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .throughput, .mallocCountTotal],
        timeUnits: .nanoseconds,
        scalingFactor: .kilo,
        maxDuration: .seconds(5),
        maxIterations: 1_000
    )

    // What `--auth required` adds to every POST /heartbeat: route policy, header parsing, SHA-256, lookup, compare.
    // Figures are per 1,000 requests (scaling factor kilo).
    Benchmark("auth: POST /heartbeat, valid ingest key in Authorization") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try check.authorize(method: "POST", path: "/heartbeat", authorization: header, queryKey: nil))
        }
    }

    // An ingest key in ?key= (navigator.sendBeacon).
    Benchmark("auth: POST /events, valid ingest key in ?key=") { benchmark in
        let text = Substring(keys[7].text)
        for _ in benchmark.scaledIterations {
            blackHole(try check.authorize(method: "POST", path: "/events", authorization: nil, queryKey: text))
        }
    }

    // The open route: what auth costs a load balancer's probe.
    Benchmark("auth: GET /health (open)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try check.authorize(method: "GET", path: "/health", authorization: nil, queryKey: nil))
        }
    }

    // An unknown key: refused with 401 (what a client scanning for keys costs the server).
    Benchmark("auth: POST /heartbeat, unknown key (401)") { benchmark in
        let unknown = "Bearer " + APIKeyToken.generate().text
        for _ in benchmark.scaledIterations {
            blackHole(try? check.authorize(method: "POST", path: "/heartbeat", authorization: unknown, queryKey: nil))
        }
    }
}
