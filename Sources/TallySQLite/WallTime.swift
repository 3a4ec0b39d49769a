import Foundation
import TallyCore
import TallyPipeline

extension Timestamp {
    /// The wall clock, for the few stored facts that are about when Tally did something (not about events).
    package static var wallClockNow: Timestamp {
        Timestamp(millisecondsSinceEpoch: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)))
    }
}
