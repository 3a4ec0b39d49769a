import TallyCore
import Testing

@testable import TallyPipeline

/// The long-poll waiters of `SessionsView`. The waits that must end early are given an hour, and the tests a minute:
/// a missed wake-up fails them by the time limit, whatever the machine's load does to scheduling (a bound on wall
/// time would measure that too).
@Suite("Sessions view", .timeLimit(.minutes(1)))
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
        await view.waitForChange(of: "s", beyond: 1, timeout: .seconds(3600))
    }

    /// A waiter for a session with nothing new waits; one registered before the change (or after it: either way)
    /// is woken by it.
    @Test func aWaiterWakesOnTheCommitAndNotBefore() async {
        let view = SessionsView()
        view.install([Self.header(entries: 1)])
        let started = ContinuousClock.now
        await view.waitForChange(of: "s", beyond: 1, timeout: .milliseconds(300))
        #expect(ContinuousClock.now - started >= .milliseconds(250))
        async let woken: Void = view.waitForChange(of: "s", beyond: 1, timeout: .seconds(3600))
        try? await Task.sleep(for: .milliseconds(100))
        view.install([Self.header(entries: 1, ended: true)])
        await woken
    }
}
