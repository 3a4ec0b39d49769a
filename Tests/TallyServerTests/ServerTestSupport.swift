import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Metrics
import Prometheus
import Synchronization
import TallyCore
import TallyPipeline
import TallySQLite
import TallyServer
@_exported import TallyTestSupport

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The process-wide Prometheus registry for tests (swift-metrics can be bootstrapped once per process).
let testRegistry: PrometheusCollectorRegistry = {
    let registry = PrometheusCollectorRegistry()
    MetricsSystem.bootstrap(PrometheusMetricsFactory.tally(registry: registry))
    return registry
}()

/// Builds the real application on a SQLite store in `directory` and runs `body` against it (services running).
func withTally<T: Sendable>(
    directory: TemporaryDirectory = TemporaryDirectory(),
    configuration: ServerConfiguration = ServerConfiguration(),
    store makeStore: (String) async throws -> any TallyStorage = { try SQLiteEventStore(directory: $0) },
    testing: TestingSetup = .router,
    clock: WallClock = WallClock { Timestamp(millisecondsSinceEpoch: 1_700_000_000_000) },
    _ body: @Sendable (any TestClientProtocol) async throws -> T
) async throws -> T {
    let store = try await makeStore(directory.path)
    do {
        let app = try await TallyApplication.build(
            configuration: configuration, store: store, registry: testRegistry, clock: clock,
            logger: Logger(label: "test"))
        let result = try await app.test(testing) { client in try await body(client) }
        try await store.close()
        return result
    } catch {
        try? await store.close()
        throw error
    }
}

/// A store whose every operation fails, for `withTally(store:)`.
let failingStore: @Sendable (String) async throws -> any TallyStorage = { _ in FailingStore() }

extension TestClientProtocol {
    @discardableResult
    func post(_ path: String, _ body: String, contentType: String? = "application/json") async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let contentType { headers[.contentType] = contentType }
        return try await execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    func get(_ path: String) async throws -> TestResponse {
        try await execute(uri: path, method: .get)
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    /// The parsed JSON body, for assertions.
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    var errorObject: [String: Any] { json["error"] as? [String: Any] ?? [:] }
}

func heartbeatJSON(user: String = "user_987", movie: String = "movie_214", duration: Int = 3097, position: Int, timestamp: String) -> String
{
    #"{"userId":"\#(user)","movieId":"\#(movie)","duration":\#(duration),"position":\#(position),"timestamp":"\#(timestamp)"}"#
}

/// A wall clock that tests move by hand.
final class ManualClock: Sendable {
    private let now = Mutex(Timestamp(millisecondsSinceEpoch: 1_700_000_000_000))

    var wallClock: WallClock { WallClock { self.now.withLock { $0 } } }

    func advance(by duration: Duration) {
        now.withLock { $0.millisecondsSinceEpoch += duration.milliseconds }
    }
}

/// POSTs from a connection of its own (the live test client runs one request at a time).
func postConcurrently(port: Int, _ path: String, _ body: String) async throws -> Int {
    try await LoopbackHTTP.post(port: port, path, body)
}

extension ServerConfiguration {
    /// For tests with one or two users: the resume windows' clock trusts each user (corroboration 1) instead of
    /// waiting for three users to agree or for five seconds of silence.
    static var fewUsers: ServerConfiguration {
        var configuration = ServerConfiguration()
        configuration.resume.corroboration = 1
        return configuration
    }
}
