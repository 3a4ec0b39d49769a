import Synchronization

/// Whether commits are succeeding, as the writer last saw them, for `/health`.
///
/// A store that answers reads can still refuse every write (a full disk, a read-only file system, a database out of
/// space), and `/health` must not call that ready. A failed commit makes writes `failing`; a later commit that
/// succeeds makes them `ok`. An instance that a load balancer took out of rotation gets no commits to show its
/// recovery, so once no commit has failed for `holdDown`, `/health` may probe with a small write of its own. A
/// probe alone cannot clear a failure sooner: on a nearly full disk the probe fits where real batches do not.
public final class WriteHealth: Sendable {
    /// What `/health` reports about writes.
    public enum Status: Sendable, Equatable {
        /// Commits succeed.
        case ok
        /// The last commit or probe failed; `reason` is the store's error.
        case failing(reason: String)
        /// A commit failed more than `holdDown` ago and none has run since: a probe decides.
        case probeDue(reason: String)
    }

    private struct State {
        var reason: String?
        var lastCommitFailure: ContinuousClock.Instant?
    }

    private let state = Mutex(State())
    /// How long after a failed commit a probe may be tried instead of waiting for real traffic.
    public let holdDown: Duration

    /// Health that starts `ok`.
    public init(holdDown: Duration = .seconds(10)) {
        self.holdDown = holdDown
    }

    /// The status now.
    public var status: Status {
        state.withLock { state in
            guard let reason = state.reason else { return .ok }
            if let failed = state.lastCommitFailure, ContinuousClock.now - failed < holdDown { return .failing(reason: reason) }
            return .probeDue(reason: reason)
        }
    }

    /// A commit (or probe) succeeded: writes are `ok` again.
    public func commitSucceeded() { state.withLock { $0 = State() } }

    /// A commit (or probe) failed with `error`.
    public func commitFailed(_ error: any Error) {
        let reason = Self.reason(error)
        state.withLock { $0 = State(reason: reason, lastCommitFailure: .now) }
    }

    /// A probe's outcome; it never shortens the hold-down of a commit that failed.
    public func probed(_ error: (any Error)?) {
        let reason = error.map(Self.reason)
        state.withLock { state in
            if let reason {
                state.reason = reason
            } else if state.lastCommitFailure.map({ ContinuousClock.now - $0 >= holdDown }) ?? true {
                state = State()
            }
        }
    }

    /// `/health` is open to anyone who reaches the server: the store's message is kept short.
    private static func reason(_ error: any Error) -> String {
        String(String(describing: error).prefix(300))
    }
}
