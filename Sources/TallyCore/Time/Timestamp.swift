/// A point in time as milliseconds since the Unix epoch, UTC.
///
/// Events carry their own time (event time); Tally stores and compares integers, never `Date`, so the core stays
/// free of Foundation and the arithmetic is exact.
public struct Timestamp: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var millisecondsSinceEpoch: Int64

    public init(millisecondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
    }

    public init(secondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = secondsSinceEpoch * 1000
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
