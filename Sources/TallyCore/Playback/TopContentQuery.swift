/// `GET /movies/top?from=&to=&limit=`: a range of event time (milliseconds, both ends included; by default the 24
/// hours ending now, at most 31 days) and how many titles to rank (1–100, default 10). Parameters are read with
/// the ad queries' rules, so both endpoints refuse the same mistakes the same way.
public struct TopContentQuery: Sendable, Equatable {
    /// The event times counted.
    public var range: Range<Timestamp>
    /// Titles to return.
    public var limit: Int

    /// The longest range one request may rank.
    public static let maxSpanMilliseconds: Int64 = 31 * 86_400_000

    /// Parses the query's parameters; `now` is the default end.
    public static func parse(_ parameters: [(name: Substring, value: Substring)], now: Timestamp) throws(FieldError) -> TopContentQuery {
        let parser = AdQueryParser()
        try parser.rejectUnknownAndRepeated(parameters, allowed: ["from", "to", "limit"])
        let to = try parser.timestamp(parameters, name: "to") ?? now
        let from =
            try parser.timestamp(parameters, name: "from")
            ?? Timestamp(millisecondsSinceEpoch: max(0, to.millisecondsSinceEpoch - 86_400_000))
        guard from <= to else { throw FieldError(field: "from", code: .invalidValue, message: "from must not be after to") }
        guard to.millisecondsSinceEpoch - from.millisecondsSinceEpoch <= maxSpanMilliseconds else {
            throw FieldError(field: "from", code: .invalidValue, message: "at most 31 days at once")
        }
        var limit = 10
        if let text = parameters.first(where: { $0.name == "limit" })?.value {
            guard let value = Int(text), (1...100).contains(value) else {
                throw FieldError(field: "limit", code: .invalidValue, message: "limit must be an integer from 1 to 100")
            }
            limit = value
        }
        let end = Timestamp(millisecondsSinceEpoch: to.millisecondsSinceEpoch + 1)
        return TopContentQuery(range: from..<end, limit: limit)
    }
}
