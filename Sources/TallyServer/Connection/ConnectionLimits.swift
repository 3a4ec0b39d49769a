/// How long a client may take at each step of an HTTP connection. Every slow or silent client costs a socket and a
/// file descriptor; without bounds, a thousand of them stop the server from accepting anyone.
public struct ConnectionLimits: Hashable, Sendable {
    /// From the first byte of a request to the end of its headers (a client trickling headers is cut off).
    public var headerTimeout: Duration
    /// From the end of the headers to the end of the body.
    public var bodyTimeout: Duration
    /// How long a connection may stay open with no request (before the first, and between keep-alive requests).
    public var idleTimeout: Duration
    /// How long shutdown waits for in-flight requests and open streams before it closes them.
    public var shutdownTimeout: Duration

    public init(
        headerTimeout: Duration = .seconds(10), bodyTimeout: Duration = .seconds(30), idleTimeout: Duration = .seconds(60),
        shutdownTimeout: Duration = .seconds(10)
    ) {
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.idleTimeout = idleTimeout
        self.shutdownTimeout = shutdownTimeout
    }
}
