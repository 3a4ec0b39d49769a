/// Who may use a route, decided in one place from its method and path, so that the whole policy can be read (and
/// reviewed) at once and a new route cannot be added without falling under a rule.
public enum RouteAccess: Sendable, Hashable {
    /// No key needed: `/health` (load balancers and orchestrators probe it), `/openapi.json` (the API's public
    /// description, for client generators), the dashboard's page and files (they hold no data: the page asks for a
    /// key to read any) and CORS preflights (browsers send them without credentials).
    case open
    /// A key with this scope (or `admin`) is needed.
    case needs(AccessScope)
}

/// Which scope each route needs: one table, so a route cannot be added without deciding who may call it.
public enum AccessPolicy {
    /// Writes are `ingest`; reads are `read`; `/metrics` and the session listing (every session id of every user)
    /// are `admin`. A path no route serves falls under the same rules, so a client without a key learns nothing
    /// about which paths exist.
    public static func access(method: String, path: String) -> RouteAccess {
        if method == "OPTIONS" { return .open }
        let path = PathShape(path)
        let reads = method == "GET" || method == "HEAD"
        if path.count == 0, reads { return .open }
        if path.count == 1 {
            let first = path.first
            if reads, first == "health" || first == "openapi.json" || first == "dashboard.js" || first == "dashboard.css" { return .open }
            if path.first == "metrics" || path.first == "sessions" { return .needs(.admin) }
        }
        if method == "POST" { return .needs(.ingest) }
        // The session stream is a WebSocket: its upgrade is a GET that then writes session messages.
        if path.count == 3, path.first == "sessions", path.third == "stream" { return .needs(.ingest) }
        return .needs(.read)
    }
}

/// The number of non-empty segments of a path and the first and third of them: all the policy looks at, found
/// without allocating, since every request asks.
struct PathShape {
    private(set) var count = 0
    private(set) var first: Substring = ""
    private(set) var third: Substring = ""

    init(_ path: String) {
        let utf8 = path.utf8
        var start = utf8.startIndex
        while start != utf8.endIndex {
            guard utf8[start] != UInt8(ascii: "/") else {
                start = utf8.index(after: start)
                continue
            }
            var end = utf8.index(after: start)
            while end != utf8.endIndex, utf8[end] != UInt8(ascii: "/") { end = utf8.index(after: end) }
            count += 1
            if count == 1 { first = path[start..<end] } else if count == 3 { third = path[start..<end] }
            start = end
        }
    }
}
