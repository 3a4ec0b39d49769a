/// Decodes and validates heartbeats: `{"userId","movieId","duration","position","timestamp"}`.
public struct HeartbeatDecoder: EventDecoder {
    /// Id length and number bounds.
    public var limits: InputLimits
    private static let names = ObjectFields.Names(["userId", "movieId", "duration", "position", "timestamp"])

    /// A decoder enforcing `limits`.
    public init(limits: InputLimits = .default) {
        self.limits = limits
    }

    /// The heartbeat at `reader`, or every field problem of it.
    public func decode(_ reader: inout JSONReader) throws -> Result<Heartbeat, FieldErrors> {
        var fields = try ObjectFields(reading: &reader, names: Self.names)
        let userId = fields.string("userId", maxBytes: limits.maxIdBytes)
        let movieId = fields.string("movieId", maxBytes: limits.maxIdBytes)
        let duration = fields.integer("duration", in: 1...limits.maxSeconds, rule: "a positive integer number of seconds")
        let position = fields.integer("position", in: 0...limits.maxSeconds, rule: "a non-negative integer number of seconds")
        let timestamp = fields.timestamp("timestamp")
        if let duration, let position, position > duration {
            fields.record(
                FieldError(
                    field: "position", code: .invalidValue,
                    message: "position (\(position)) must not exceed duration (\(duration))"))
        }
        guard fields.errors.isEmpty, let userId, let movieId, let duration, let position, let timestamp else {
            return .failure(FieldErrors(fields.errors))
        }
        return .success(Heartbeat(userId: userId, movieId: movieId, duration: duration, position: position, timestamp: timestamp))
    }
}
