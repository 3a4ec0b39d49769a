import Foundation
import TallyCore

/// Arrival time source. Event time comes from events; this only stamps when Tally accepted them.
public struct WallClock: Sendable {
    private let read: @Sendable () -> Timestamp

    /// A clock that tests can set by hand, so arrival times and key uses are deterministic.
    public init(_ read: @escaping @Sendable () -> Timestamp) {
        self.read = read
    }

    /// The system's time, whole milliseconds.
    public static let system = WallClock {
        Timestamp(millisecondsSinceEpoch: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)))
    }

    /// The time now.
    public func now() -> Timestamp { read() }
}
