/// What an API key lets its holder do. Scopes are not a ladder: an `ingest` key (shipped inside apps and web pages,
/// so assumed public) must not read, and a `read` key (a dashboard's) must not write; `admin` may do everything.
public enum AccessScope: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Every route that writes events: heartbeats, watch events, ad events, session messages and streams.
    case ingest
    /// Every query route, `/resume/stream` and session reads.
    case read
    /// Everything, including `/metrics`, the session listing and key management.
    case admin

    /// Whether a key of this scope may use a route that needs `needed`.
    public func allows(_ needed: AccessScope) -> Bool {
        self == .admin || self == needed
    }

    public var description: String { rawValue }
}
