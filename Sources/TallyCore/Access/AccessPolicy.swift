/// Who may use a route, decided in one place from its method and path, so that the whole policy can be read (and
/// reviewed) at once and a new route cannot be added without falling under a rule.
public enum RouteAccess: Sendable, Hashable {
    /// No key needed: `/health` (load balancers and orchestrators probe it) and CORS preflights (browsers send them
    /// without credentials).
    case open
    case needs(AccessScope)
}

public enum AccessPolicy {
    /// Writes are `ingest`; reads are `read`; `/metrics` and the session listing (every session id of every user)
    /// are `admin`. A path no route serves falls under the same rules, so a client without a key learns nothing
    /// about which paths exist.
    public static func access(method: String, path: some StringProtocol) -> RouteAccess {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        if method == "OPTIONS" { return .open }
        if segments == ["health"], method == "GET" || method == "HEAD" { return .open }
        if segments == ["metrics"] { return .needs(.admin) }
        if segments == ["sessions"] { return .needs(.admin) }
        if method == "POST" { return .needs(.ingest) }
        // The session stream is a WebSocket: its upgrade is a GET that then writes session messages.
        if segments.count == 3, segments[0] == "sessions", segments[2] == "stream" { return .needs(.ingest) }
        return .needs(.read)
    }
}
