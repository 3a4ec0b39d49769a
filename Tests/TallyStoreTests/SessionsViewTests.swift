import TallyCore
import Testing

@testable import TallyPipeline

/// The long-poll waiters of `SessionsView`.
@Suite("Sessions view")
struct SessionsViewTests {
    static func header(entries: Int, ended: Bool = false) -> SessionHeader {
        SessionHeader(
            id: "s", start: SessionEntry(kind: .start(sessionId: "s"), timestamp: 1),
            end: ended ? SessionEntry(kind: .end(sessionId: "s"), timestamp: 9) : nil, entryCount: entries,
            lastActivity: Timestamp(millisecondsSinceEpoch: 1))
    }

    /// A commit that lands after the route looked (it saw one entry) and before it waits must not leave the
    /// long-poll waiting for its whole timeout: the check and the registration are one step.
    @Test func aChangeJustBeforeTheWaitIsNotMissed() async {
        let view = SessionsView()
        view.install([Self.header(entries: 2)])
        let started = ContinuousClock.now
        await view.waitForChange(of: "s", beyond: 1, timeout: .seconds(10))
        #expect(ContinuousClock.now - started < .seconds(2))
    }

    /// A waiter registered before the change is woken by it; one for a session with nothing new waits.
    @Test func aWaiterWakesOnTheCommitAndNotBefore() async {
        let view = SessionsView()
        view.install([Self.header(entries: 1)])
        let started = ContinuousClock.now
        await view.waitForChange(of: "s", beyond: 1, timeout: .milliseconds(300))
        #expect(ContinuousClock.now - started >= .milliseconds(250))
        async let woken: Void = view.waitForChange(of: "s", beyond: 1, timeout: .seconds(10))
        try? await Task.sleep(for: .milliseconds(100))
        let posted = ContinuousClock.now
        view.install([Self.header(entries: 1, ended: true)])
        await woken
        #expect(ContinuousClock.now - posted < .seconds(2))
    }
}
