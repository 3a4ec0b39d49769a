/// One tumbling window: the half-open interval `[start, end)` of event time.
public struct EventWindow: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The window's length.
    public var unit: WindowUnit
    /// The first instant in the window.
    public var start: Timestamp
    /// The first instant after it.
    public var end: Timestamp

    /// The window [start, end) of `unit`.
    public init(unit: WindowUnit, start: Timestamp, end: Timestamp) {
        self.unit = unit
        self.start = start
        self.end = end
    }

    /// Whether `time` is in [start, end).
    public func contains(_ time: Timestamp) -> Bool { start <= time && time < end }

    /// Windows order by start, then by end (so a minute sorts before the hour that starts with it).
    public static func < (lhs: EventWindow, rhs: EventWindow) -> Bool {
        (lhs.start, lhs.end) < (rhs.start, rhs.end)
    }

    public var description: String { "\(unit)[\(start), \(end))" }
}
