import Foundation
import GRDB
import Synchronization
import TallyCore
import Testing

@testable import TallyPipeline
@testable import TallySQLite

/// A reproducible stream of pseudo-random numbers (SplitMix64), so that a failing case can be replayed by its seed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Property test of the SQLite loaders: whatever rows another tool, an older bug or a disk error left in the
/// tables, opening the store never traps; every good row loads as written, every bad one is quarantined once.
@Suite("Loading corrupt stored rows")
struct CorruptStoredRowTests {
    /// A value for an integer column: a good one, or one of the ways a column can be wrong.
    private static func integer(_ good: Int64, corrupt: Bool, _ random: inout SeededGenerator) -> DatabaseValue {
        guard corrupt else { return good.databaseValue }
        switch Int.random(in: 0..<5, using: &random) {
        case 0: return "not a number".databaseValue
        case 1: return 1.5.databaseValue
        case 2: return Data([0xFF, 0x00]).databaseValue
        case 3: return Int64.min.databaseValue
        default: return (-Int64.random(in: 1...1_000, using: &random)).databaseValue
        }
    }

    private static func id(_ good: String, corrupt: Bool, _ random: inout SeededGenerator) -> DatabaseValue {
        guard corrupt else { return good.databaseValue }
        switch Int.random(in: 0..<3, using: &random) {
        case 0: return Data(Array(good.utf8) + [0x00, 0x78]).databaseValue
        case 1: return Data(Array(good.utf8) + [0xC3]).databaseValue
        default: return Data(Array(good.utf8) + [0x07]).databaseValue
        }
    }

    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func loadersQuarantineWhatTheyCannotUse(seed: UInt64) async throws {
        var random = SeededGenerator(state: seed)
        let directory = TemporaryDirectory()
        var expected: [PlaybackKey: PlaybackState] = [:]
        var corruptCount = 0
        var corruptHours = 0
        var rows: [[DatabaseValue]] = []
        for row in 0..<200 {
            let bad = Int.random(in: 0..<10, using: &random) < 4
            let column = bad ? Int.random(in: 0..<9, using: &random) : -1
            let user = "user \(row)"
            let content = "movie \(row % 7)"
            let state = PlaybackState(
                position: Int64(row), latestAt: Timestamp(millisecondsSinceEpoch: 1_700_000_000_000 + Int64(row)),
                lastSeenAt: Timestamp(millisecondsSinceEpoch: 1_700_000_000_500), maxPosition: Int64(row) + 3,
                duration: row % 3 == 0 ? nil : 7200, watchMilliseconds: Int64(row) * 1000, events: Int64(row) + 1)
            rows.append([
                Self.id(user, corrupt: column == 0, &random), Self.id(content, corrupt: column == 1, &random),
                Self.integer(state.position, corrupt: column == 2, &random),
                Self.integer(state.latestAt.millisecondsSinceEpoch, corrupt: column == 3, &random),
                Self.integer(state.lastSeenAt.millisecondsSinceEpoch, corrupt: column == 4, &random),
                Self.integer(state.maxPosition, corrupt: column == 5, &random),
                state.duration.map { Self.integer($0, corrupt: column == 6, &random) } ?? (column == 6 ? "x".databaseValue : .null),
                Self.integer(state.watchMilliseconds, corrupt: column == 7, &random),
                Self.integer(state.events, corrupt: column == 8, &random),
            ])
            if bad { corruptCount += 1 } else { expected[PlaybackKey(user: user, content: content)] = state }
        }
        var hours: [[DatabaseValue]] = []
        for hour in 0..<20 {
            // Int64.max impressions is corrupt too: the next increment would overflow.
            let bad = hour % 4 == 0 || hour == 1
            hours.append([
                (Int64(hour) * AdHour.milliseconds).databaseValue, bad && hour != 1 ? "many".databaseValue : Int64(hour).databaseValue,
                1.databaseValue, (hour == 1 ? Int64.max : Int64(hour)).databaseValue,
            ])
            if bad { corruptHours += 1 }
        }
        do {
            let store = try SQLiteEventStore(directory: directory.path)
            try await store.pool.write { [rows, hours] db in
                for values in rows {
                    try db.execute(
                        sql: """
                            INSERT INTO playback_state (user_id, content_id, position, latest_ms, last_seen_ms, max_position,
                                duration, watch_ms, events) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                            """, arguments: StatementArguments(values))
                }
                for values in hours {
                    try db.execute(sql: "INSERT INTO ad_hours VALUES (?, ?, ?, ?)", arguments: StatementArguments(values))
                }
            }
            try await store.close()
        }
        for reopen in 0..<2 {
            let store = try SQLiteEventStore(directory: directory.path)
            let states = try await store.loadPlaybackStates()
            #expect(states == expected, "seed \(seed), open \(reopen)")
            let quarantine = try await store.quarantinedRows(limit: 1000)
            #expect(quarantine.count == corruptCount + corruptHours, "seed \(seed), open \(reopen)")
            #expect(quarantine.rows.allSatisfy { !$0.reason.isEmpty })
            #expect(try await store.adCounts(AdHour(startMilliseconds: 0)) == .zero)
            #expect(
                try await store.adCounts(AdHour(startMilliseconds: 2 * AdHour.milliseconds))
                    == AdHourCounts(uniqueUsers: 2, clicks: 1, impressions: 2))
            try await store.close()
        }
    }

    @Test func aNulInAStoredIdIsQuarantinedNotLoadedAsAnotherUsersKey() async throws {
        let directory = TemporaryDirectory()
        let store = try SQLiteEventStore(directory: directory.path)
        try await store.pool.write { db in
            for user in ["victim".databaseValue, Data("victim\u{0}x".utf8).databaseValue] {
                try db.execute(
                    sql: """
                        INSERT INTO playback_state VALUES (?, 'm', 1, 1700000000000, 1700000000000, 1, NULL, 1000, 1)
                        """, arguments: [user])
            }
        }
        let states = try await store.loadPlaybackStates()
        #expect(states.keys.map(\.user) == ["victim"])
        #expect(try await store.quarantinedRows(limit: 10).rows.map(\.reason).first?.contains("control character") == true)
        try await store.close()
    }

    @Test func corruptHeartbeatsAreSkippedOnReplayAndKeptInTheLog() async throws {
        let directory = TemporaryDirectory()
        let store = try SQLiteEventStore(directory: directory.path)
        try await store.pool.write { db in
            try db.execute(sql: "INSERT INTO heartbeats VALUES (1, 'u', 'm', 100, 5, 1700000000000, 1700000000000)")
            try db.execute(sql: "INSERT INTO heartbeats VALUES (2, 'u', 'm', 100, 'five', 1700000001000, 1700000000000)")
            try db.execute(sql: "INSERT INTO heartbeats VALUES (3, 'u', 'm', 100, 500, 1700000002000, 1700000000000)")
        }
        let replayed = Mutex<[Int64]>([])
        for _ in 0..<2 {
            replayed.withLock { $0 = [] }
            try await store.replayHeartbeats(from: Timestamp(millisecondsSinceEpoch: 0)) { batch in
                replayed.withLock { $0 += batch.map(\.position) }
            }
            #expect(replayed.withLock { $0 } == [5])
        }
        #expect(try await store.quarantinedRows(limit: 10).count == 2)
        #expect(try await store.countEvents(.heartbeat) == 3)
        try await store.close()
    }
}
