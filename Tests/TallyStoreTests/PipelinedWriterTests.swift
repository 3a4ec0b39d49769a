import GRDB
import Logging
import TallyCore
import Testing

@testable import TallyPipeline
@testable import TallySQLite

@Suite("Pipelined writer")
struct PipelinedWriterTests {
    /// Requests race a poisoned one that fails its whole batch inside SQLite, while the next batch may already be
    /// planned on top of it. What is stored must be exactly what was acknowledged: the batch planned on the failed
    /// one is planned again from the store.
    @Test func whatIsStoredIsExactlyWhatWasAcknowledged() async throws {
        let dir = TemporaryDirectory()
        // Small batches: many commits, each planned while the one before it is written.
        let (writer, store) = try makeWriter(dir, configuration: WriterConfiguration(maxBatchEvents: 4))
        try await store.pool.write { db in
            try db.execute(
                sql: """
                    CREATE TRIGGER poison BEFORE INSERT ON heartbeats WHEN NEW.user_id = 'poison'
                    BEGIN SELECT RAISE(ABORT, 'poisoned'); END
                    """)
        }
        try await withRunningWriter(writer) {
            let outcomes = await withTaskGroup(of: Bool.self) { group in
                for request in 0..<300 {
                    group.addTask {
                        var events = [heartbeat("u", "m", position: Int64(request), second: Int64(request))]
                        if request % 37 == 5 { events.append(heartbeat("poison", "m", position: 0, second: 0)) }
                        return (try? await writer.submit(events)) != nil
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            let acknowledged = outcomes.filter { $0 }.count
            let state = try await store.state(PlaybackKey(user: "u", content: "m"))
            #expect(outcomes.count - acknowledged >= 9)
            #expect(acknowledged >= 200)
            #expect(Int(state?.events ?? 0) == acknowledged)
            #expect(try await store.countEvents(.heartbeat) == acknowledged)
            let totals = try await store.totals(content: "m")
            #expect(totals?.events == Int64(acknowledged), "\(String(describing: totals)) for \(acknowledged) acknowledged")
        }
    }
}
