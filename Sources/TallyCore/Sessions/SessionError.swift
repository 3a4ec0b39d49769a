/// Why a session message was refused. A refused message stores nothing; on a WebSocket the connection stays open
/// unless `isProtocolViolation`, which closes it with `closeCode`.
public struct SessionError: Error, Hashable, Sendable {
    /// Stable, machine-readable names, sent as the error's `code`.
    public enum Code: String, Sendable {
        /// The body is not an array of entries, nor `{"seq":N,"entries":[…]}`.
        case invalidBody = "invalid_body"
        /// The body is not JSON.
        case malformedJSON = "malformed_json"
        /// The message has no entries.
        case emptyMessage = "empty_message"
        /// An entry lacks a field, or has one of the wrong type or value.
        case invalidEntry = "invalid_entry"
        /// More entries in the message than `maxEntriesPerMessage`.
        case tooManyEntries = "too_many_entries"
        /// The session would hold more than `maxEntriesPerSession`.
        case sessionTooLarge = "session_too_large"
        /// Events before the session's `SESSION_START`.
        case notStarted = "session_not_started"
        /// A start or end entry names another session than the stream's.
        case sessionIdMismatch = "session_id_mismatch"
        /// A second `SESSION_START` that differs from the first.
        case conflictingStart = "conflicting_start"
        /// A second `SESSION_END` that differs from the first.
        case conflictingEnd = "conflicting_end"
        /// Entries after the session's `SESSION_END`.
        case sessionComplete = "session_complete"
        /// A numbered message skips a number: an earlier one is missing.
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
