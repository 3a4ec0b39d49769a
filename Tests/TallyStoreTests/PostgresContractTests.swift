import Foundation
import Logging
import TallyCore
import Testing

@testable import TallyPipeline
@testable import TallyPostgres

@Suite("Store contract: PostgreSQL", .enabled(if: testPostgresURL != nil, "TALLY_TEST_POSTGRES_URL is not set; PostgreSQL tests skipped"))
struct PostgresContractTests {
    let settings: PostgresSettings
    /// Runs `body` with an opener of stores on the test's schema, their pools children of this scope.
    func withOpener<T>(_ body: (@escaping StoreContract.Opener) async throws -> T) async throws -> T {
        try await PostgresStores.withStores { stores in
            try await body { [settings] in try await stores.open(settings: settings, logger: Logger(label: "test")) }
        }
    }

    init() throws { settings = try isolatedPostgres() }

    @Test(arguments: StoreContract.Check.allCases)
    func contract(_ check: StoreContract.Check) async throws { try await withOpener { try await check.run($0) } }

    /// Several servers starting at once on an empty schema: the advisory lock lets exactly one migrate.
    @Test func concurrentStartsMigrateOnce() async throws {
        try await withOpener { open in
            let stores = try await withThrowingTaskGroup(of: (any TallyStorage).self) { group in
                for _ in 0..<4 { group.addTask { try await open() } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            for store in stores {
                try await store.checkHealth()
                try await store.close()
            }
        }
    }

    /// Two stores (two servers) writing the same keys at once: each batch plans from the other's committed state,
    /// so no update is lost: watch time and event counts equal one writer's, and every user counts once per hour.
    @Test func concurrentWritersLoseNoUpdates() async throws {
        try await withOpener { open in
            let first = try await open()
            let second = try await open()
            let rounds = 40
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, store) in [first, second].enumerated() {
                    group.addTask {
                        for round in 0..<rounds {
                            // Watch events in increment mode add their seconds whatever the order they commit in.
                            let events = ["a", "b", "c"].map {
                                ReceivedEvent(
                                    .watch(WatchEvent(user: $0, slug: "m", at: 10)), receivedAt: Timestamp(secondsSinceEpoch: Int64(round)))
                            }
                            // The plan passed in is deliberately stale: the store must re-derive it.
                            try await store.append(
                                CommitBatch(
                                    events: events, states: [:],
                                    ads: [
                                        StoreContract.ad(
                                            "user\(round % 5)", 1_700_002_800_000 + Int64(round), index == 0 ? .click : .impression)
                                    ]))
                        }
                    }
                }
                try await group.waitForAll()
            }
            let states = try await first.loadPlaybackStates()
            for user in ["a", "b", "c"] {
                let state = states[PlaybackKey(user: user, content: "m")]
                #expect(state?.events == Int64(rounds * 2))
                #expect(state?.watchMilliseconds == Int64(rounds * 2) * 10_000)
            }
            #expect(
                try await second.adCounts(AdHour(startMilliseconds: 1_700_002_800_000))
                    == AdHourCounts(uniqueUsers: 5, clicks: Int64(rounds), impressions: Int64(rounds)))
            try await first.close()
            try await second.close()

        }
    }

    /// The store re-plans a batch with the rules the writer planned it by (carried in the batch), not rules of
    /// its own: heartbeats 30 s apart count as watch time under the default 60 s gap and not under a 10 s one.
    @Test func rePlanningUsesTheBatchsRules() async throws {
        try await withOpener { open in
            let store = try await open()
            let viewing = { (user: String) in
                [heartbeat(user, "m", position: 0, second: 0), heartbeat(user, "m", position: 30, second: 30)]
            }
            try await store.append(CommitBatch(events: viewing("u"), states: [:], rules: PlaybackRules(maxGapSeconds: 10)))
            try await store.append(CommitBatch(events: viewing("v"), states: [:]))
            let states = try await store.loadPlaybackStates()
            #expect(states[PlaybackKey(user: "u", content: "m")]?.watchMilliseconds == 0)
            #expect(states[PlaybackKey(user: "v", content: "m")]?.watchMilliseconds == 30_000)
            try await store.close()
        }
    }

    @Test func badURLIsAClearError() {
        #expect(throws: PostgresSettings.SettingsError.self) { try PostgresSettings(url: "mysql://x") }
        #expect(throws: PostgresSettings.SettingsError.self) { try PostgresSettings(url: testPostgresURL!, schema: "Bad-Name") }
    }

    @Test func unreachableServerIsAStoreError() async throws {
        let settings = try PostgresSettings(url: "postgres://postgres@127.0.0.1:1/none", schema: "x", connectTimeout: .seconds(1))
        try await PostgresStores.withStores { stores in
            await #expect(throws: StoreError.self) { try await stores.open(settings: settings, logger: Logger(label: "test")) }
        }
    }
}
