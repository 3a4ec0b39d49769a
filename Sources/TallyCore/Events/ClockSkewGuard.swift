/// What event times a server accepts from clients: any past time (imports of history are normal), but nothing
/// further ahead of the server's own clock than `maxAhead`. A client whose clock says 9999-12-31 gets a clear error
/// instead of reaching the event clock at all.
public struct ClockSkewGuard: Hashable, Sendable {
    /// How far ahead of the server's clock an event time may be.
    public var maxAhead: Duration
    private let maxAheadMs: Int64

    /// A guard accepting times up to `maxAhead` in the future.
    public init(maxAhead: Duration) {
        self.maxAhead = maxAhead
        maxAheadMs = maxAhead.milliseconds
    }

    /// The error for `time`, or nil when it is acceptable at `now`.
    public func check(_ time: Timestamp, now: Timestamp, field: String = "timestamp") -> FieldError? {
        let (limit, overflow) = now.millisecondsSinceEpoch.addingReportingOverflow(maxAheadMs)
        guard !overflow, time.millisecondsSinceEpoch > limit else { return nil }
        return FieldError(
            field: field, code: .invalidValue,
            message:
                "\(field) \(ISO8601.format(time, style: .zulu)) is more than \(Self.describe(maxAhead)) ahead of the server's clock (\(ISO8601.format(now, style: .zulu))); see --max-clock-skew"
        )
    }

    /// `1d`, `2h`, `90s`: how the limit is written on the command line.
    static func describe(_ duration: Duration) -> String {
        let seconds = duration.components.seconds
        if seconds % 86_400 == 0 { return "\(seconds / 86_400)d" }
        if seconds % 3_600 == 0 { return "\(seconds / 3_600)h" }
        if seconds % 60 == 0 { return "\(seconds / 60)m" }
        return "\(seconds)s"
    }
}
