import Hummingbird
import TallyCore
import TallyPipeline

/// The one path a session message takes, whether it came as a WebSocket frame or an HTTP body: decode, hand to the
/// writer (which checks it against the session in commit order), and answer with the ack or the refusal.
struct SessionIngest: Sendable {
    let writer: IngestWriter
    let limits: SessionLimits
    let clock: WallClock

    enum Outcome: Sendable {
        case accepted(SessionAck)
        case refused(SessionError)
    }

    func handle(_ bytes: [UInt8], session id: String) async throws -> Outcome {
        if let problem = IdentifierRule.problem(with: id, field: "id", maxBytes: limits.maxNameBytes) {
            return .refused(SessionError(.invalidBody, problem.message, field: "id"))
        }
        guard bytes.count <= limits.maxMessageBytes else {
            return .refused(SessionError(.tooManyEntries, "a message may be at most \(limits.maxMessageBytes) bytes"))
        }
        let decoded: Result<SessionMessage, SessionError> = bytes.withUnsafeBytes { raw in
            do throws(SessionError) { return .success(try SessionMessageDecoder(limits: limits).decode(raw)) } catch {
                return .failure(error)
            }
        }
        let message: SessionMessage
        switch decoded {
        case .success(let decoded): message = decoded
        case .failure(let error): return .refused(error)
        }
        do {
            return .accepted(try await writer.submit(session: id, message: message, receivedAt: clock.now()))
        } catch let error as SessionError {
            return .refused(error)
        }
    }

    static func ackJSON(_ ack: SessionAck) -> [UInt8] {
        var json = JSONWriter(reservingCapacity: 64)
        json.beginObject()
        json.member("accepted", ack.accepted)
        json.member("total", ack.total)
        if ack.duplicate { json.member("duplicate", true) }
        if ack.complete { json.member("complete", true) }
        json.endObject()
        return json.bytes
    }
}

extension APIError {
    /// A refused session message as an HTTP error: conflicts with the session's state are 409, bounds 413,
    /// everything else 400.
    init(_ error: SessionError) {
        let status: HTTPResponse.Status =
            switch error.code {
            case .conflictingStart, .conflictingEnd, .sessionComplete, .seqGap: .conflict
            case .tooManyEntries, .sessionTooLarge: .contentTooLarge
            default: .badRequest
            }
        self.init(status, code: error.code.rawValue, message: error.message, field: error.field)
        self.entry = error.entry
    }
}
