import Testing
import TallyCore
@testable import TallyStore

/// Behaviour every backend must have. Each check opens fresh, empty storage through `open`; the backend suites
/// (`SQLiteContractTests`, `PostgresContractTests`) run all of them.
enum StoreContract {
    typealias Opener = @Sendable () async throws -> any TallyStorage

    static func ad(_ user: String, _ ms: Int64, _ interaction: AdInteraction) -> AdEvent {
        AdEvent(timestamp: Timestamp(millisecondsSinceEpoch: ms), user: user, interaction: interaction)
    }

    /// A user counts once per hour whatever mix of clicks and impressions, across batches; hours are separate and
    /// the boundary is exact to the millisecond.
    static func adCountsAreExactPerHour(_ open: Opener) async throws {
        let store = try await open()
        let hour: Int64 = 1_700_002_800_000
        try await store.append(CommitBatch(ads: [
            ad("alice", hour, .click), ad("alice", hour + 5, .impression), ad("bob", hour + 3_599_999, .impression),
            ad("carol", hour - 1, .click),
        ]))
        try await store.append(CommitBatch(ads: [ad("alice", hour + 10, .click), ad("dave", hour + 3_600_000, .click)]))
        #expect(try await store.adCounts(AdHour(startMilliseconds: hour)) == AdHourCounts(uniqueUsers: 2, clicks: 2, impressions: 2))
        #expect(try await store.adCounts(AdHour(startMilliseconds: hour - 3_600_000)) == AdHourCounts(uniqueUsers: 1, clicks: 1, impressions: 0))
        #expect(try await store.adCounts(AdHour(startMilliseconds: hour + 3_600_000)) == AdHourCounts(uniqueUsers: 1, clicks: 1, impressions: 0))
        #expect(try await store.adCounts(AdHour(startMilliseconds: 0)) == .zero)
        try await store.close()
    }

    /// The same user twice in one batch is still one unique user.
    static func repeatedUserInOneBatchCountsOnce(_ open: Opener) async throws {
        let store = try await open()
        let hour: Int64 = 1_700_002_800_000
        try await store.append(CommitBatch(ads: (0..<50).map { ad("u\($0 % 7)", hour + Int64($0), $0 % 3 == 0 ? .click : .impression) }))
        let counts = try await store.adCounts(AdHour(startMilliseconds: hour))
        #expect(counts == AdHourCounts(uniqueUsers: 7, clicks: 17, impressions: 33))
        try await store.close()
    }
}

@Suite("Store contract: SQLite")
struct SQLiteContractTests {
    let directory = TemporaryDirectory()
    var open: StoreContract.Opener { { [path = directory.path] in try SQLiteEventStore(directory: path) } }

    @Test func adCountsAreExactPerHour() async throws { try await StoreContract.adCountsAreExactPerHour(open) }
    @Test func repeatedUserInOneBatchCountsOnce() async throws { try await StoreContract.repeatedUserInOneBatchCountsOnce(open) }

    @Test func adCountsSurviveReopening() async throws {
        let hour: Int64 = 1_700_002_800_000
        let store = try await open()
        try await store.append(CommitBatch(ads: [StoreContract.ad("a", hour, .click)]))
        try await store.close()
        let reopened = try await open()
        try await reopened.append(CommitBatch(ads: [StoreContract.ad("a", hour + 1, .impression)]))
        #expect(try await reopened.adCounts(AdHour(startMilliseconds: hour)) == AdHourCounts(uniqueUsers: 1, clicks: 1, impressions: 1))
        try await reopened.close()
    }
}
