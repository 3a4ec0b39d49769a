import TallyPipeline
import Testing

@Suite("Write health")
struct WriteHealthTests {
    struct Full: Error, CustomStringConvertible { var description: String { "disk is full" } }

    @Test func aFailedCommitIsReportedUntilACommitSucceeds() {
        let health = WriteHealth(holdDown: .seconds(60))
        #expect(health.status == .ok)
        health.commitFailed(Full())
        #expect(health.status == .failing(reason: "disk is full"))
        // A small probe fitting on a nearly full disk does not clear what a real commit showed.
        health.probed(nil)
        #expect(health.status == .failing(reason: "disk is full"))
        health.commitSucceeded()
        #expect(health.status == .ok)
    }

    @Test func afterTheHoldDownAProbeDecides() async throws {
        let health = WriteHealth(holdDown: .milliseconds(20))
        health.commitFailed(Full())
        try await Task.sleep(for: .milliseconds(40))
        #expect(health.status == .probeDue(reason: "disk is full"))
        health.probed(Full())
        #expect(health.status == .probeDue(reason: "disk is full"))
        health.probed(nil)
        #expect(health.status == .ok)
    }
}
