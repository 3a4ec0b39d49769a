import TallyCore
import Testing

@testable import TallyPipeline

@Suite("Replay batches")
struct ReplayBatchesTests {
    @Test func fullBatchesThenTheRestInOrder() {
        var sizes: [Int] = []
        var positions: [Int64] = []
        var batches = ReplayBatches()
        let take = { (batch: [Heartbeat]) in
            sizes.append(batch.count)
            positions += batch.map(\.position)
        }
        for i in 0..<(2 * ReplayBatches.size + 1) {
            let heartbeat = Heartbeat(
                userId: "u", movieId: "m", duration: 1 << 40, position: Int64(i), timestamp: Timestamp(millisecondsSinceEpoch: 0))
            batches.append(heartbeat, to: take)
        }
        batches.finish(to: take)
        batches.finish(to: take)
        #expect(sizes == [ReplayBatches.size, ReplayBatches.size, 1])
        #expect(positions == (0..<Int64(2 * ReplayBatches.size + 1)).map { $0 })
    }
}
