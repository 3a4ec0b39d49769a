/// Whether requests need API keys, and how fast key changes reach a running server.
public struct AccessConfiguration: Sendable {
    /// `--auth`: whether keys are asked for at all.
    public enum Mode: String, Sendable, CaseIterable {
        /// Every route but `/health` needs a key with the right scope.
        case required
        /// No key is asked for: the local default, for a server only this machine can reach.
        case off
    }

    /// Off by default only on loopback (`defaultMode(host:)`), so the one-command local start needs no key.
    public var mode: Mode
    /// How often the server rereads the keys (and saves when they were last used): a key created or revoked with
    /// `tally keys` takes effect within this long on every server of the store.
    public var refreshInterval: Duration

    /// A configuration; `tally serve` picks the mode from `--auth` or the host.
    public init(mode: Mode = .off, refreshInterval: Duration = .seconds(2)) {
        self.mode = mode
        self.refreshInterval = refreshInterval
    }

    /// `required` unless `host` is a loopback address: only processes on this machine can reach those.
    public static func defaultMode(host: String) -> Mode {
        isLoopback(host) ? .off : .required
    }

    /// Whether only this machine can reach `host` (`localhost`, `::1`, `127.x.y.z`); a name that merely starts
    /// like one (`127.0.0.1.example.com`) is not.
    public static func isLoopback(_ host: String) -> Bool {
        let lowered = host.lowercased()
        if lowered == "localhost" || lowered == "::1" || lowered == "[::1]" { return true }
        let octets = lowered.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}
