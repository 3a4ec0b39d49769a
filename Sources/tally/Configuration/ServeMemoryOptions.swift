import ArgumentParser
import TallyServer

/// The memory bounds of `tally serve` (docs/api.md, "Connections and limits"): each caps what one kind of reader
/// can make the server hold, whatever the clients do.
struct ServeMemoryOptions: ParsableArguments {
    @Option(help: ServeSettings.sessionRenderCacheBytes.help)
    var sessionRenderCacheBytes: Int?

    @Option(help: ServeSettings.resumeStreamBufferBytes.help)
    var resumeStreamBufferBytes: Int?

    @Option(help: ServeSettings.playbackHotKeys.help)
    var playbackHotKeys: Int?

    func apply(to server: inout ServerConfiguration) throws {
        server.sessionRenderCacheBytes = try ServeSettings.sessionRenderCacheBytes.resolve(sessionRenderCacheBytes)
        server.resumeStreamBufferBytes = try ServeSettings.resumeStreamBufferBytes.resolve(resumeStreamBufferBytes)
        server.playbackHotKeys = try ServeSettings.playbackHotKeys.resolve(playbackHotKeys)
    }
}
