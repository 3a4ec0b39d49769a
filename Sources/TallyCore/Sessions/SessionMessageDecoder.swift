/// Decodes one session message: a JSON array of entries, or `{"seq":N,"entries":[…]}` when the client numbers its
/// messages for idempotent resends.
///
/// Unknown members of an entry are ignored; `session_id` on an `EVENT` is ignored too. Each entry needs `type` and
/// `timestamp` (a non-negative integer: seconds, or milliseconds above 10^11), plus `session_id` for
/// `SESSION_START`/`SESSION_END` and `name` for `EVENT`.
public struct SessionMessageDecoder: Sendable {
    /// Bounds on entries, names and bytes.
    public var limits: SessionLimits
    private static let entryNames = ObjectFields.Names(["type", "timestamp", "session_id", "name"])
    private static let messageNames = ObjectFields.Names(["seq", "entries"])

    /// A decoder enforcing `limits`.
    public init(limits: SessionLimits = .default) {
        self.limits = limits
    }

    /// The message in `bytes` (a WebSocket frame or an HTTP body), or the first reason to refuse it.
    public func decode(_ bytes: UnsafeRawBufferPointer) throws(SessionError) -> SessionMessage {
        var reader = JSONReader(bytes)
        do {
            let message: SessionMessage
            switch reader.peek() {
            case 0x5B:
                message = SessionMessage(entries: try entries(&reader))
            case 0x7B:
                message = try numbered(&reader)
            case nil:
                throw SessionError(.invalidBody, "message is empty; send a JSON array of entries")
            default:
                let kind = try reader.readValue().typeName
                throw SessionError(.invalidBody, "message must be a JSON array of entries, got \(kind)")
            }
            guard reader.peek() == nil else { throw reader.error("unexpected data after the message") }
            return message
        } catch let error as SessionError {
            throw error
        } catch let error as JSONSyntaxError {
            throw SessionError(.malformedJSON, "message is not valid JSON: \(error)")
        } catch {
            throw SessionError(.invalidBody, "\(error)")
        }
    }

    private func numbered(_ reader: inout JSONReader) throws -> SessionMessage {
        var fields = try ObjectFields(reading: &reader, names: Self.messageNames)
        var seq: Int64?
        if fields.valueReader("seq") != nil {
            seq = fields.integer("seq", in: 1...Int64.max, rule: "a positive integer")
            guard seq != nil else { throw SessionError(.invalidBody, fields.errors[0].message, field: "seq") }
        }
        guard var entriesReader = fields.valueReader("entries") else {
            throw SessionError(.invalidBody, "entries is required: {\"seq\":N,\"entries\":[…]}", field: "entries")
        }
        guard entriesReader.peek() == 0x5B else {
            throw SessionError(.invalidBody, "entries must be an array", field: "entries")
        }
        return SessionMessage(entries: try entries(&entriesReader), seq: seq)
    }

    private func entries(_ reader: inout JSONReader) throws -> [SessionEntry] {
        var entries: [SessionEntry] = []
        try reader.readArray { index, reader in
            guard index < limits.maxEntriesPerMessage else {
                throw SessionError(.tooManyEntries, "a message may hold at most \(limits.maxEntriesPerMessage) entries")
            }
            entries.append(try entry(&reader, index: index))
        }
        guard !entries.isEmpty else { throw SessionError(.emptyMessage, "message has no entries") }
        return entries
    }

    private func entry(_ reader: inout JSONReader, index: Int) throws -> SessionEntry {
        guard reader.peek() != nil else { throw reader.error("unexpected end of input") }
        let fields: ObjectFields
        do {
            fields = try ObjectFields(reading: &reader, names: Self.entryNames)
        } catch let error as InputShapeError {
            throw SessionError(.invalidEntry, "entry \(index): \(error.message)", entry: index)
        }
        var checked = fields
        let timestamp = checked.integer("timestamp", in: 0...Int64.max, rule: "a non-negative integer (unix seconds or milliseconds)")
        let kind: SessionEntry.Kind?
        switch checked["type"] {
        case .string("SESSION_START"):
            kind = checked.string("session_id", maxBytes: limits.maxNameBytes).map { .start(sessionId: $0) }
        case .string("SESSION_END"):
            kind = checked.string("session_id", maxBytes: limits.maxNameBytes).map { .end(sessionId: $0) }
        case .string("EVENT"):
            kind = checked.string("name", maxBytes: limits.maxNameBytes).map { .event(name: $0) }
        case .string(let other):
            checked.record(
                FieldError(
                    field: "type", code: .invalidValue,
                    message: "type must be SESSION_START, SESSION_END or EVENT, got \(other)"))
            kind = nil
        case nil:
            checked.record(FieldError(field: "type", code: .missingField, message: "type is required"))
            kind = nil
        case let other?:
            checked.record(FieldError(field: "type", code: .invalidType, message: "type must be a string, got \(other.typeName)"))
            kind = nil
        }
        if let kind, let timestamp, checked.errors.isEmpty { return SessionEntry(kind: kind, timestamp: timestamp) }
        let first = checked.errors.first ?? FieldError(field: "type", code: .invalidValue, message: "entry is invalid")
        throw SessionError(.invalidEntry, "entry \(index): \(first.message)", entry: index, field: first.field)
    }
}
