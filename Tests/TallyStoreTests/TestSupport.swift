import Foundation
import TallyCore
@_exported import TallyTestSupport

@testable import TallyPipeline

func heartbeat(_ user: String, _ movie: String, position: Int64, second: Int64) -> ReceivedEvent {
    ReceivedEvent(
        .heartbeat(
            Heartbeat(
                userId: user, movieId: movie, duration: 7200, position: position,
                timestamp: Timestamp(secondsSinceEpoch: 1_635_254_400 + second))),
        receivedAt: Timestamp(secondsSinceEpoch: 1_700_000_000 + second))
}
