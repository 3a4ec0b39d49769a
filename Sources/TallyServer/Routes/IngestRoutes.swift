import Hummingbird
import Metrics
import TallyCore
import TallyPipeline

/// `POST /heartbeat`, `POST /heartbeats`, `POST /` and `POST /events`: decode, validate, hand to the writer, and
/// acknowledge with `202 {"accepted":N}` only once the events are committed.
struct IngestRoutes<Context: RequestContext>: Sendable {
    let writer: IngestWriter
    let body: RequestBody
    let limits: InputLimits
    let clock: WallClock
    let skew: ClockSkewGuard

    func register(on router: Router<Context>) {
        let heartbeats = BodyDecoder(HeartbeatDecoder(limits: limits), limits: limits)
        let watches = BodyDecoder(WatchEventDecoder(limits: limits), limits: limits)
        router.post("/heartbeat") { request, _ in
            try await ingest(request, kind: .heartbeat) {
                try checkedTimes(heartbeats.decode($0, shape: .single), single: true).map(PlaybackEvent.heartbeat)
            }
        }
        router.post("/heartbeats") { request, _ in
            try await ingest(request, kind: .heartbeat) {
                try checkedTimes(heartbeats.decode($0, shape: .batch), single: false).map(PlaybackEvent.heartbeat)
            }
        }
        for path in ["/", "/events"] {
            router.post(RouterPath(path)) { request, _ in
                try await ingest(request, kind: .watch) { try watches.decode($0, shape: .batch).map(PlaybackEvent.watch) }
            }
        }
    }

    /// Refuses the request (all or nothing, like every other invalid field) when a heartbeat is further ahead of
    /// the server's clock than `--max-clock-skew`.
    private func checkedTimes(_ beats: [Heartbeat], single: Bool) throws(InputError) -> [Heartbeat] {
        let now = clock.now()
        var errors: [ItemError] = []
        var invalid = 0
        for (index, beat) in beats.enumerated() {
            guard let error = skew.check(beat.timestamp, now: now) else { continue }
            invalid += 1
            if errors.count < BodyDecoder<HeartbeatDecoder>.maxReportedErrors {
                errors.append(ItemError(index: single ? nil : index, error: error))
            }
        }
        guard errors.isEmpty else { throw .invalidItems(errors, invalidCount: invalid, total: beats.count) }
        return beats
    }

    private func ingest(
        _ request: Request, kind: EventKind, decode: (UnsafeRawBufferPointer) throws -> [PlaybackEvent]
    ) async throws -> Response {
        let buffer = try await body.collect(request)
        let events: [PlaybackEvent]
        do {
            events = try buffer.withUnsafeReadableBytes { try decode($0) }
        } catch let error as InputError {
            IngestMetrics.rejected(kind, error.reason).increment()
            throw APIError.from(error)
        }
        let now = clock.now()
        try await writer.submit(events.map { ReceivedEvent($0, receivedAt: now) })
        IngestMetrics.accepted(kind).increment(by: events.count)
        return .json(.accepted) {
            $0.beginObject()
            $0.member("accepted", events.count)
            $0.endObject()
        }
    }
}

/// The ingest counters, made once: creating a `Counter` goes through the metrics factory, too much for every request.
enum IngestMetrics {
    static let reasons = ["malformed_json", "invalid_body", "invalid_fields", "batch_too_large"]
    private static let acceptedCounters = Dictionary(
        uniqueKeysWithValues: EventKind.allCases.map {
            ($0, Counter(label: "tally_events_accepted_total", dimensions: [("kind", $0.rawValue)]))
        })
    private static let rejectedCounters = Dictionary(
        uniqueKeysWithValues: EventKind.allCases.flatMap { kind in
            reasons.map {
                (
                    "\(kind.rawValue)/\($0)",
                    Counter(label: "tally_events_rejected_total", dimensions: [("kind", kind.rawValue), ("reason", $0)])
                )
            }
        })

    static let adAccepted = Counter(label: "tally_events_accepted_total", dimensions: [("kind", "ad")])
    static let adRejected = Counter(label: "tally_events_rejected_total", dimensions: [("kind", "ad"), ("reason", "invalid_fields")])

    static func accepted(_ kind: EventKind) -> Counter { acceptedCounters[kind]! }
    static func rejected(_ kind: EventKind, _ reason: String) -> Counter { rejectedCounters["\(kind.rawValue)/\(reason)"]! }
}

extension InputError {
    /// Metric label for a rejection (one of `IngestMetrics.reasons`).
    fileprivate var reason: String {
        switch self {
        case .malformed: return "malformed_json"
        case .wrongShape: return "invalid_body"
        case .invalidItems: return "invalid_fields"
        case .tooManyItems: return "batch_too_large"
        }
    }
}
