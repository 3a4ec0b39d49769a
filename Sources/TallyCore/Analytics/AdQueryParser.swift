/// Reads the query parameters of `POST /analytics` and `GET /analytics` strictly: every problem is a
/// `FieldError` naming the parameter, so a typo such as `impresion` is a 400, not a silently lost event.
public struct AdQueryParser: Sendable {
    /// The id length and time range it enforces.
    public let limits: InputLimits

    /// A parser enforcing `limits` (the server passes its configured ones).
    public init(limits: InputLimits = .default) {
        self.limits = limits
    }

    /// `timestamp={millis}&user={name}&{click|impression}`: exactly one of the two bare flags.
    public func event(_ parameters: [(name: Substring, value: Substring)]) throws(FieldError) -> AdEvent {
        try rejectUnknownAndRepeated(parameters, allowed: ["timestamp", "user", "click", "impression"])
        let timestamp = try self.timestamp(parameters)
        guard let user = parameters.first(where: { $0.name == "user" })?.value else {
            throw FieldError(field: "user", code: .missingField, message: "user is required")
        }
        if let problem = IdentifierRule.problem(with: String(user), field: "user", maxBytes: limits.maxIdBytes) {
            throw problem
        }
        let flags = parameters.filter { $0.name == "click" || $0.name == "impression" }
        guard flags.count == 1, let flag = flags.first, let interaction = AdInteraction(rawValue: String(flag.name)) else {
            throw FieldError(
                field: flags.isEmpty ? "click" : "impression", code: flags.isEmpty ? .missingField : .invalidValue,
                message: "exactly one of the flags click or impression is required")
        }
        guard flag.value.isEmpty else {
            throw FieldError(field: String(flag.name), code: .invalidValue, message: "\(flag.name) is a bare flag and takes no value")
        }
        return AdEvent(timestamp: timestamp, user: String(user), interaction: interaction)
    }

    /// `timestamp={millis}`: the hour to report.
    public func hour(_ parameters: [(name: Substring, value: Substring)]) throws(FieldError) -> AdHour {
        try rejectUnknownAndRepeated(parameters, allowed: ["timestamp"])
        return AdHour(containing: try timestamp(parameters))
    }

    /// The most hours `hours(_:now:)` answers: 31 days.
    public static let maxHours = 744

    /// `from={millis}&to={millis}`, both optional: the hours from the one containing `from` through the one
    /// containing `to` (default: the 24 hours ending with the current one), at most `maxHours`.
    public func hours(_ parameters: [(name: Substring, value: Substring)], now: Timestamp) throws(FieldError) -> ClosedRange<AdHour> {
        try rejectUnknownAndRepeated(parameters, allowed: ["from", "to"])
        let last = AdHour(containing: try timestamp(parameters, name: "to") ?? now)
        let first =
            try timestamp(parameters, name: "from").map { AdHour(containing: $0) }
            ?? AdHour(startMilliseconds: last.startMilliseconds - 23 * AdHour.milliseconds)
        guard first <= last else {
            throw FieldError(field: "from", code: .invalidValue, message: "from must not be after to")
        }
        guard (last.startMilliseconds - first.startMilliseconds) / AdHour.milliseconds < Int64(Self.maxHours) else {
            throw FieldError(field: "from", code: .invalidValue, message: "at most \(Self.maxHours) hours (31 days) at once")
        }
        return first...last
    }

    /// `timestamp={millis}`, required.
    private func timestamp(_ parameters: [(name: Substring, value: Substring)]) throws(FieldError) -> Timestamp {
        guard let time = try timestamp(parameters, name: "timestamp") else {
            throw FieldError(field: "timestamp", code: .missingField, message: "timestamp (milliseconds since the epoch) is required")
        }
        return time
    }

    /// Milliseconds since the epoch in parameter `name` (nil when absent): digits only, up to the end of year 9999
    /// (what ISO 8601 output can show).
    func timestamp(_ parameters: [(name: Substring, value: Substring)], name: String) throws(FieldError) -> Timestamp? {
        guard let text = parameters.first(where: { $0.name == name })?.value else { return nil }
        let latest: Int64 = 253_402_300_799_999
        guard !text.isEmpty, text.utf8.count <= 15, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            let value = Int64(text), value <= latest
        else {
            throw FieldError(
                field: name, code: .invalidValue,
                message: "\(name) must be milliseconds since the epoch: an integer from 0 to \(latest)")
        }
        return Timestamp(millisecondsSinceEpoch: value)
    }

    func rejectUnknownAndRepeated(_ parameters: [(name: Substring, value: Substring)], allowed: Set<Substring>) throws(FieldError) {
        var seen = Set<Substring>()
        for parameter in parameters {
            guard allowed.contains(parameter.name) else {
                let known = allowed.sorted().joined(separator: ", ")
                throw FieldError(
                    field: String(parameter.name.prefix(64)), code: .invalidValue,
                    message: "unknown parameter \(parameter.name.prefix(64)); expected \(known)")
            }
            guard seen.insert(parameter.name).inserted else {
                throw FieldError(field: String(parameter.name), code: .duplicateField, message: "\(parameter.name) is given more than once")
            }
        }
    }
}
