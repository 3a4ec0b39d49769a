/// Decodes and validates watch events: `{"user","slug","at"}`.
public struct WatchEventDecoder: EventDecoder {
    /// Id length and number bounds.
    public var limits: InputLimits
    private static let names = ObjectFields.Names(["user", "slug", "at"])

    /// A decoder enforcing `limits`.
    public init(limits: InputLimits = .default) {
        self.limits = limits
    }

    /// The watch event at `reader`, or every field problem of it.
    public func decode(_ reader: inout JSONReader) throws -> Result<WatchEvent, FieldErrors> {
        var fields = try ObjectFields(reading: &reader, names: Self.names)
        let user = fields.string("user", maxBytes: limits.maxIdBytes)
        let slug = fields.string("slug", maxBytes: limits.maxIdBytes)
        let at = fields.integer("at", in: 0...limits.maxSeconds, rule: "a non-negative integer number of seconds")
        guard fields.errors.isEmpty, let user, let slug, let at else { return .failure(FieldErrors(fields.errors)) }
        return .success(WatchEvent(user: user, slug: slug, at: at))
    }
}
