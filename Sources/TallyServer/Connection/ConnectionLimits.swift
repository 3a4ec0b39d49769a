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
    /// Bounds of upgraded WebSocket connections.
    public var webSocket: WebSocketLimits

    /// The documented defaults (docs/api.md).
    public init(
        headerTimeout: Duration = .seconds(10), bodyTimeout: Duration = .seconds(30), idleTimeout: Duration = .seconds(60),
        shutdownTimeout: Duration = .seconds(10), webSocket: WebSocketLimits = WebSocketLimits()
    ) {
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.idleTimeout = idleTimeout
        self.shutdownTimeout = shutdownTimeout
        self.webSocket = webSocket
    }
}

/// What one WebSocket client may cost: a dead peer is found by pings, a silent one by the idle timeout, and
/// neither fragments nor a close handshake can make the server buffer or read without bound.
public struct WebSocketLimits: Hashable, Sendable {
    /// A ping goes out this often; a client that has not answered the previous one by then is disconnected.
    public var pingInterval: Duration
    /// A connection with no data message for this long is closed with 1001 (pings and pongs do not count).
    public var idleTimeout: Duration
    /// After the server's close frame, how long it waits for the client's before it drops the connection.
    public var closeTimeout: Duration
    /// Frames (the first and its continuations) one message may arrive in; more is closed with 1009.
    public var maxFramesPerMessage: Int
    /// Pings a client may send in 10 s (each costs a pong the server writes); more is closed with 1008.
    public var maxPingsPer10Seconds: Int

    /// The documented defaults (docs/api.md).
    public init(
        pingInterval: Duration = .seconds(30), idleTimeout: Duration = .seconds(600), closeTimeout: Duration = .seconds(5),
        maxFramesPerMessage: Int = 1024, maxPingsPer10Seconds: Int = 50
    ) {
        self.pingInterval = pingInterval
        self.idleTimeout = idleTimeout
        self.closeTimeout = closeTimeout
        self.maxFramesPerMessage = maxFramesPerMessage
        self.maxPingsPer10Seconds = maxPingsPer10Seconds
    }
}
