/// A point in time as milliseconds since the Unix epoch, UTC.
///
/// Events carry their own time (event time); Tally stores and compares integers, never `Date`, so the core stays
/// free of Foundation and the arithmetic is exact.
public struct Timestamp: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z (negative before it).
    public var millisecondsSinceEpoch: Int64

    /// The instant `millisecondsSinceEpoch` ms after the epoch.
    public init(millisecondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
    }

    /// The instant `secondsSinceEpoch` s after the epoch (saturating instead of overflowing).
    public init(secondsSinceEpoch: Int64) {
        let (milliseconds, overflow) = secondsSinceEpoch.multipliedReportingOverflow(by: 1000)
        self.millisecondsSinceEpoch = overflow ? (secondsSinceEpoch < 0 ? .min : .max) : milliseconds
    }

    /// Whole seconds, rounded towards negative infinity.
    public var secondsSinceEpoch: Int64 {
        millisecondsSinceEpoch >= 0 ? millisecondsSinceEpoch / 1000 : (millisecondsSinceEpoch - 999) / 1000
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch
    }

    /// ISO-8601 in UTC with a `Z`, milliseconds only when they are not zero: `2021-10-26T13:27:01Z`.
    public var description: String { ISO8601.format(self, style: .zulu) }
}
