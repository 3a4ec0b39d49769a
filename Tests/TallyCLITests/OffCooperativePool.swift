import Dispatch
import Testing

/// Runs each test of a suite on a thread of its own instead of Swift's cooperative pool.
///
/// These tests wait for child processes the blocking way (`waitUntilExit`, pipes read to the end, polling with
/// `usleep`). On the cooperative pool, which has one thread per core, two such waits on a two-core machine stop
/// every other test in the process: servers under test still answer, but the async tests reading them are not
/// scheduled, so their deadlines pass with nothing read (CI saw a dozen raw-socket tests fail at once that way).
struct OffCooperativePool: SuiteTrait, TestTrait, TestScoping {
    var isRecursive: Bool { true }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        guard testCase != nil else { return try await function() }
        try await withTaskExecutorPreference(DedicatedThreadExecutor(label: test.name)) { try await function() }
    }
}

extension Trait where Self == OffCooperativePool {
    static var offCooperativePool: Self { OffCooperativePool() }
}

/// A task executor on a serial dispatch queue: it gets a thread even when the cooperative pool is busy, and a
/// job blocking it blocks nobody else.
final class DedicatedThreadExecutor: TaskExecutor {
    /// Set on the executor's queue, so a test can tell where it runs.
    static let marker = DispatchSpecificKey<String>()
    private let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: "tally-test." + label)
        queue.setSpecific(key: Self.marker, value: label)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}

@Suite("Tests that block run off the cooperative pool", .offCooperativePool)
struct OffCooperativePoolTests {
    @Test func aSynchronousTestRunsOnItsOwnQueue() {
        #expect(DispatchQueue.getSpecific(key: DedicatedThreadExecutor.marker) != nil)
    }

    @Test func anAsyncTestReturnsToItsOwnQueueAfterASuspension() async throws {
        try await Task.sleep(for: .milliseconds(10))
        #expect(DispatchQueue.getSpecific(key: DedicatedThreadExecutor.marker) != nil)
    }
}
