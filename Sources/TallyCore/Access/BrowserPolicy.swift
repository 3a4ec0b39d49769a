/// Which web pages may call the server from a browser (CORS), and which `Host` names it answers to.
///
/// Pages are named by origin (`https://shop.example`, scheme, host and port as the browser sends them). `*` lets
/// every page send events (ingest routes only: a read key in a page anyone can open would be anyone's), never read.
/// A page the server serves itself (same origin) is always allowed.
public struct BrowserPolicy: Sendable, Equatable {
    /// Exact origins allowed on every route.
    public var origins: Set<String>
    /// Whether any origin may use ingest routes.
    public var anyOriginMayIngest: Bool
    /// Host names (without port) the server answers to; nil answers to any (see `init(origins:allowedHosts:listenHost:)`).
    public var hosts: Set<String>?

    /// - Parameters:
    ///   - origins: `--cors-origins`, each an origin or `*`.
    ///   - allowedHosts: `--allowed-hosts`, added to the listen address and, on loopback, `localhost`, `127.0.0.1`
    ///     and `::1`.
    ///   - listenHost: `--host`. A wildcard address (`0.0.0.0`, `::`) has no one name, so without `allowedHosts` every
    ///     Host is answered there: such a server asks for keys by default, which is what stops a rebinding page.
    public init(origins: [String] = [], allowedHosts: [String] = [], listenHost: String = "127.0.0.1") {
        self.origins = Set(origins.filter { $0 != "*" }.map { Self.normalized($0) })
        self.anyOriginMayIngest = origins.contains("*")
        let listen = Self.hostName(listenHost)
        if ["0.0.0.0", "::", ""].contains(listen), allowedHosts.isEmpty {
            hosts = nil
        } else {
            var names = Set(allowedHosts.map { Self.hostName($0) })
            if !["0.0.0.0", "::"].contains(listen) { names.insert(listen) }
            if ["127.0.0.1", "::1", "localhost"].contains(listen) || listen.hasPrefix("127.") {
                names.formUnion(["localhost", "127.0.0.1", "::1"])
            }
            hosts = names
        }
    }

    /// Whether a request whose `Host` header is `host` (nil when absent: not a browser) is for this server.
    public func answers(host: String?) -> Bool {
        guard let hosts, let host else { return true }
        return hosts.contains(Self.hostName(host))
    }

    /// Whether a page of `origin` may use a route needing `scope` on a server reached as `host`.
    public func allows(origin: String, scope: AccessScope?, host: String?) -> Bool {
        let origin = Self.normalized(origin)
        // Browsers send the page's http(s) origin, or `null` (sandboxed frames, files); anything else (a WebSocket
        // library's `ws://…`) comes from a program, which could send any Origin it liked: it proves nothing.
        guard origin == "null" || origin.hasPrefix("http://") || origin.hasPrefix("https://") else { return true }
        if origins.contains(origin) { return true }
        if anyOriginMayIngest, scope == .ingest { return true }
        // Same origin: the page came from this server (the scheme is not checked: a proxy may terminate TLS).
        guard let host else { return false }
        for scheme in ["http://", "https://"] where origin.hasPrefix(scheme) {
            if origin.dropFirst(scheme.count) == host.lowercased() { return true }
        }
        return false
    }

    /// The host part of a `Host` header or address, lowercased, without port or IPv6 brackets.
    static func hostName(_ text: String) -> String {
        let lowered = text.lowercased()
        if lowered.hasPrefix("[") {
            return String(lowered.dropFirst().prefix { $0 != "]" })
        }
        if lowered.filter({ $0 == ":" }).count > 1 { return lowered }  // a bare IPv6 address
        return String(lowered.prefix { $0 != ":" })
    }

    private static func normalized(_ origin: String) -> String {
        var text = origin.lowercased()
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }
}
