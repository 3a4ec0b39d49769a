import ArgumentParser
import TallyServer

/// The memory bounds of `tally serve` (docs/api.md, "Connections and limits"): each caps what one kind of reader
/// can make the server hold, whatever the clients do.
struct ServeMemoryOptions: ParsableArguments {
    @Option(help: "Bytes of rendered session trees shared by concurrent GET /sessions/{id}; at most two trees are built at a time beyond it. [env: TALLY_SESSION_RENDER_CACHE_BYTES] (default: 67108864)")
    var sessionRenderCacheBytes: Int?

    @Option(help: "Bytes of resume arrays queued for one /resume/stream subscriber; one that falls further behind gets an end event and is disconnected. [env: TALLY_RESUME_STREAM_BUFFER_BYTES] (default: 4194304)")
    var resumeStreamBufferBytes: Int?

    @Option(help: "(user, content) playback states the writer keeps in memory; the rest are read from the store when an event needs them, and queries always read the store. [env: TALLY_PLAYBACK_HOT_KEYS] (default: 200000)")
    var playbackHotKeys: Int?

    func apply(to server: inout ServerConfiguration) throws {
        let env = EnvironmentResolver()
        server.sessionRenderCacheBytes = try env.value(sessionRenderCacheBytes, "TALLY_SESSION_RENDER_CACHE_BYTES", default: server.sessionRenderCacheBytes)
        server.resumeStreamBufferBytes = try env.value(resumeStreamBufferBytes, "TALLY_RESUME_STREAM_BUFFER_BYTES", default: server.resumeStreamBufferBytes)
        server.playbackHotKeys = try env.value(playbackHotKeys, "TALLY_PLAYBACK_HOT_KEYS", default: server.playbackHotKeys)
        guard server.playbackHotKeys >= 2 else { throw ValidationError("--playback-hot-keys must be at least 2") }
        guard server.sessionRenderCacheBytes >= 0 else { throw ValidationError("--session-render-cache-bytes must not be negative") }
        guard server.resumeStreamBufferBytes >= 64 << 10 else { throw ValidationError("--resume-stream-buffer-bytes must be at least 65536") }
    }
}
