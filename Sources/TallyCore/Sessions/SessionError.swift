/// Why a session message was refused. A refused message stores nothing; on a WebSocket the connection stays open
/// unless `isProtocolViolation`, which closes it with `closeCode`.
public struct SessionError: Error, Hashable, Sendable {
    /// Stable, machine-readable names, sent as the error's `code`.
    public enum Code: String, Sendable {
        case invalidBody = "invalid_body"
        case malformedJSON = "malformed_json"
        case emptyMessage = "empty_message"
        case invalidEntry = "invalid_entry"
        case tooManyEntries = "too_many_entries"
        case sessionTooLarge = "session_too_large"
        case notStarted = "session_not_started"
        case sessionIdMismatch = "session_id_mismatch"
        case conflictingStart = "conflicting_start"
        case conflictingEnd = "conflicting_end"
        case sessionComplete = "session_complete"
        case seqGap = "seq_gap"
    }

    /// What kind of problem, for programs.
    public var code: Code
    /// What is wrong, for people.
    public var message: String
    /// Index of the offending entry in the message, when one entry is at fault.
    public var entry: Int?
    /// The offending field, when one is.
    public var field: String?

    /// A refusal with its code and message, naming the entry or field when one is at fault.
    public init(_ code: Code, _ message: String, entry: Int? = nil, field: String? = nil) {
        self.code = code
        self.message = message
        self.entry = entry
        self.field = field
    }

    /// Errors that mean the client is not speaking the protocol for this stream: a WebSocket is closed.
    public var isProtocolViolation: Bool {
        code == .sessionIdMismatch
    }

    /// WebSocket close code for a protocol violation (4000–4999 are application codes).
    public var closeCode: UInt16 {
        switch code {
        case .sessionIdMismatch: return 4001
        default: return 4000
        }
    }
}
