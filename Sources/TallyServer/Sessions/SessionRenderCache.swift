import NIOCore
import TallyCore

/// Rendered session trees, shared by every reader until the session changes, and a bound on renders at once.
///
/// A session at its entry limit renders to tens of megabytes; without sharing, every concurrent `GET /sessions/{id}`
/// costs one such body. Here a body is built once per version of the session (its entry count, end and status) and handed out as
/// the same `ByteBuffer` storage; at most `maxConcurrentRenders` bodies are built at a time, so the memory a burst
/// of reads can take is at most the cache's budget plus that many bodies, whatever the number of sessions read.
actor SessionRenderCache {
    /// What a rendering depends on: when any of it changes, the cached body is stale (a session's end shows as
    /// its status, `complete`).
    struct Version: Hashable, Sendable {
        var entryCount: Int
        var status: SessionHeader.Status
    }

    private struct Entry {
        var version: Version
        var body: ByteBuffer
        var lastUsed: UInt64
    }

    private var entries: [String: Entry] = [:]
    private(set) var cachedBytes = 0
    private var tick: UInt64 = 0
    private var rendering = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []
    /// Bytes of bodies kept; the least recently read are dropped beyond it. A body larger than this is not kept.
    let maxBytes: Int
    /// Smaller bodies are not kept: they are cheap to build, and leaving them out keeps the entries few
    /// (at most `maxBytes / minBytes`), so eviction's scan stays short.
    let minBytes: Int
    let maxConcurrentRenders: Int

    init(maxBytes: Int = 64 << 20, minBytes: Int = 64 << 10, maxConcurrentRenders: Int = 2) {
        self.maxBytes = maxBytes
        self.minBytes = minBytes
        self.maxConcurrentRenders = max(1, maxConcurrentRenders)
    }

    /// The body of `id` at `version`, from the cache or from `render` (called with a render slot held).
    func body(id: String, version: Version, render: @Sendable () async throws -> ByteBuffer) async throws -> ByteBuffer {
        if let hit = lookup(id, version) { return hit }
        await acquireSlot()
        defer { releaseSlot() }
        // Readers that waited for the slot find what the reader before them rendered.
        if let hit = lookup(id, version) { return hit }
        let body = try await render()
        store(body, id: id, version: version)
        return body
    }

    private func lookup(_ id: String, _ version: Version) -> ByteBuffer? {
        guard let entry = entries[id], entry.version == version else { return nil }
        tick += 1
        entries[id]?.lastUsed = tick
        return entry.body
    }

    private func store(_ body: ByteBuffer, id: String, version: Version) {
        if let old = entries.removeValue(forKey: id) { cachedBytes -= old.body.readableBytes }
        guard body.readableBytes <= maxBytes, body.readableBytes >= minBytes else { return }
        tick += 1
        entries[id] = Entry(version: version, body: body, lastUsed: tick)
        cachedBytes += body.readableBytes
        while cachedBytes > maxBytes, let oldest = entries.min(by: { $0.value.lastUsed < $1.value.lastUsed }) {
            entries[oldest.key] = nil
            cachedBytes -= oldest.value.body.readableBytes
        }
    }

    private func acquireSlot() async {
        if rendering < maxConcurrentRenders {
            rendering += 1
            return
        }
        // The slot is handed over by `releaseSlot`, which leaves `rendering` as it is.
        await withCheckedContinuation { waiting.append($0) }
    }

    private func releaseSlot() {
        if waiting.isEmpty { rendering -= 1 } else { waiting.removeFirst().resume() }
    }
}
