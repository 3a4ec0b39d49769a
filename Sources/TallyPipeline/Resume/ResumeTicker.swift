import Logging
import ServiceLifecycle
import TallyCore

/// Once a second: advances the resume watermark when heartbeats stop (so the last windows close), persists what
/// that emitted, and once a minute deletes windows older than the retention (in event time). On graceful shutdown it ends every resume stream.
public struct ResumeTicker: Service {
    let view: ResumeView
    let store: any ResumeWindowStore
    let retention: Duration
    let clock: @Sendable () -> Int64
    let logger: Logger

    /// A ticker over `view`, persisting to `store`, keeping windows for `retention`; `clock` is monotonic milliseconds.
    public init(
        view: ResumeView, store: any ResumeWindowStore, retention: Duration,
        clock: @escaping @Sendable () -> Int64, logger: Logger
    ) {
        self.view = view
        self.store = store
        self.retention = retention
        self.clock = clock
        self.logger = logger
    }

    /// Ticks until a graceful shutdown, then ends every subscriber's stream.
    public func run() async throws {
        await cancelWhenGracefulShutdown { await tickUntilCancelled() }
        view.finishSubscribers()
    }

    private func tickUntilCancelled() async {
        var ticks = 0
        while (try? await Task.sleep(for: .seconds(1))) != nil {
            ticks += 1
            do {
                try await store.saveResumeWindows(view.advanceIdle(clockMs: clock()))
                if ticks % 60 == 0, let watermark = view.watermark, watermark != EventClock<Heartbeat>.infinity {
                    // Retention counts in event time: windows that started `retention` before the watermark go.
                    let cutoff = Timestamp(millisecondsSinceEpoch: watermark.millisecondsSinceEpoch - retention.milliseconds)
                    let removed = try await store.pruneResumeWindows(before: cutoff)
                    if removed > 0 { logger.debug("pruned resume windows", metadata: ["rows": "\(removed)"]) }
                }
            } catch {
                logger.error("resume maintenance failed", metadata: ["error": "\(error)"])
            }
        }
    }
}
