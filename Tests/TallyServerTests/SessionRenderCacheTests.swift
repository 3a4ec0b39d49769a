import NIOCore
import Synchronization
import Testing

@testable import TallyServer

/// Concurrent reads of one session share one rendering; renders at once are bounded; a changed session is
/// rendered again.
@Suite("Session render cache")
struct SessionRenderCacheTests {
    final class Renders: Sendable {
        private let state = Mutex((running: 0, peak: 0, total: 0))
        var peak: Int { state.withLock { $0.peak } }
        var total: Int { state.withLock { $0.total } }

        func render(bytes: Int) async throws -> ByteBuffer {
            state.withLock {
                $0.running += 1
                $0.total += 1
                $0.peak = max($0.peak, $0.running)
            }
            try await Task.sleep(for: .milliseconds(20))
            state.withLock { $0.running -= 1 }
            return ByteBuffer(repeating: UInt8(ascii: "x"), count: bytes)
        }
    }

    static let open = SessionRenderCache.Version(entryCount: 100_000, status: .open)

    @Test func thirtyTwoConcurrentReadsRenderOnce() async throws {
        let cache = SessionRenderCache(maxBytes: 64 << 20, maxConcurrentRenders: 2)
        let renders = Renders()
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<32 {
                group.addTask {
                    try await cache.body(id: "s", version: Self.open) { try await renders.render(bytes: 1 << 20) }.readableBytes
                }
            }
            for try await size in group { #expect(size == 1 << 20) }
        }
        #expect(renders.total <= 2, "32 readers rendered \(renders.total) times")
        var grown = Self.open
        grown.entryCount += 1
        _ = try await cache.body(id: "s", version: grown) { try await renders.render(bytes: 1 << 20) }
        #expect(renders.total <= 3, "a new entry renders once more")
        _ = try await cache.body(id: "s", version: grown) { try await renders.render(bytes: 1 << 20) }
        #expect(renders.total <= 3)
    }

    @Test func rendersOfManySessionsAreBounded() async throws {
        let cache = SessionRenderCache(maxBytes: 4 << 20, maxConcurrentRenders: 2)
        let renders = Renders()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<16 {
                group.addTask { _ = try await cache.body(id: "s\(n)", version: Self.open) { try await renders.render(bytes: 1 << 20) } }
            }
            try await group.waitForAll()
        }
        #expect(renders.total == 16)
        #expect(renders.peak == 2)
        // 4 MiB holds the 4 most recent bodies; the oldest were dropped.
        _ = try await cache.body(id: "s0", version: Self.open) { try await renders.render(bytes: 1 << 20) }
        #expect(await cache.cachedBytes <= 4 << 20)
    }

    @Test func smallBodiesAreNotKept() async throws {
        let cache = SessionRenderCache()
        let renders = Renders()
        for _ in 0..<3 { _ = try await cache.body(id: "s", version: Self.open) { try await renders.render(bytes: 100) } }
        #expect(renders.total == 3)
        #expect(await cache.cachedBytes == 0)
    }
}
