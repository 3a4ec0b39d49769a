import NIOCore
import NIOHTTP1

/// Sits right after the HTTP decoder of every connection: bounds the time a client may take to send headers, a
/// body or its next request, answers requests the decoder cannot parse (`400`, `431`, `501`) and closes them, and
/// closes HTTP/1.0 connections without keep-alive after their response.
///
/// Hummingbird's own error path runs only once a first request has been parsed (before that the WebSocket upgrade
/// handler owns the connection): without this guard a malformed first request would get no answer and hold its
/// socket forever.
final class HTTPConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        /// Waiting for a request; `started` once its first bytes arrived.
        case waiting(started: Bool)
        case readingBody
        /// The request is read; the application answers (long polls and streams take as long as they take).
        case responding
    }

    private let limits: ConnectionLimits
    private let upgradeGate: UpgradeGate?
    /// An upgrade was refused and answered here: the rest of its request is dropped, and the connection closes.
    private var refused = false
    private var state = State.waiting(started: false)
    private var timer: Scheduled<Void>?
    private var keepAlive = true
    private var quiescing = false
    private var upgraded = false
    /// An upgrade request was read and its response has not started: the decoder has stopped parsing, and whatever
    /// the client sent after the request comes out of it as raw bytes when the upgrade removes it.
    private var awaitingUpgradeResponse = false
    /// Sees raw bytes before the decoder, so that an idle connection is told from one sending headers slowly.
    let byteObserver: ByteObserver

    init(limits: ConnectionLimits, upgradeGate: UpgradeGate?) {
        self.limits = limits
        self.upgradeGate = upgradeGate
        self.byteObserver = ByteObserver()
        byteObserver.owner = self
    }

    func handlerAdded(context: ChannelHandlerContext) {
        arm(after: limits.idleTimeout, context: context, respond: nil)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        byteObserver.owner = nil
    }

    fileprivate var awaitsFirstByte: Bool {
        if case .waiting(started: false) = state { return true }
        return false
    }

    /// The first bytes of a request: from now on the client has `headerTimeout` to finish its headers.
    fileprivate func bytesArrived(context: ChannelHandlerContext) {
        guard awaitsFirstByte else { return }
        state = .waiting(started: true)
        arm(after: limits.headerTimeout, context: context, respond: .requestTimeout)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !upgraded else {
            context.fireChannelRead(data)
            return
        }
        if refused { return }
        if awaitingUpgradeResponse {
            // RFC 6455 §4.1: a client sends nothing after its handshake until the server's answer. Those bytes are
            // not HTTP (reading them as a request part would trap) and would reach the WebSocket codec without
            // passing the WebSocket guard, so the connection ends here.
            context.close(promise: nil)
            return
        }
        switch unwrapInboundIn(data) {
        case .head(let head):
            keepAlive = head.isKeepAlive
            upgradeRequested = Self.mayUpgrade(head)
            if upgradeRequested, let gate = upgradeGate, let error = gate.refusal(for: head) {
                refused = true
                respond(head: error.responseHead, body: error.bodyBytes, context: context)
                return
            }
            state = .readingBody
            arm(after: limits.bodyTimeout, context: context, respond: nil, failing: BodyTimeout())
        case .body:
            break
        case .end:
            state = .responding
            awaitingUpgradeResponse = upgradeRequested
            cancelTimer()
        }
        context.fireChannelRead(data)
    }

    private var upgradeRequested = false

    /// Whether the decoder may take `head` for an upgrade and stop parsing after it. It goes by llhttp's rule
    /// (an Upgrade header with `Connection: upgrade`, or CONNECT) but errs wide: a false yes only closes a
    /// connection that pipelined a request behind an odd one, a false no would read raw bytes as HTTP.
    static func mayUpgrade(_ head: HTTPRequestHead) -> Bool {
        head.method == .CONNECT || head.headers.contains(name: "upgrade")
            || head.headers[canonicalForm: "connection"].contains { $0.lowercased() == "upgrade" }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard !upgraded else {
            context.write(data, promise: promise)
            return
        }
        switch unwrapOutboundIn(data) {
        case .head(var head):
            awaitingUpgradeResponse = false
            if head.status == .switchingProtocols {
                // A WebSocket from here on: the frames are not HTTP, so the guard only passes them on. It stays in
                // the pipeline because removing a handler inside the upgrader's own write stops the 101.
                cancelTimer()
                upgraded = true
                // Where the bytes enter, ahead of the HTTP encoder: first, or right after TLS decrypts them.
                let pipeline = context.pipeline.syncOperations
                let position: ChannelPipeline.SynchronousOperations.Position =
                    (try? pipeline.handler(type: HTTPResponseEncoder.self)).map { .before($0) } ?? .first
                try? pipeline.addHandler(WebSocketConnectionGuard(limits: limits.webSocket), position: position)
                context.write(data, promise: promise)
                return
            }
            if !keepAlive || quiescing { head.headers.replaceOrAdd(name: "connection", value: "close") }
            context.write(wrapOutboundOut(.head(head)), promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            let written = context.eventLoop.makePromise(of: Void.self)
            written.futureResult.cascade(to: promise)
            context.write(data, promise: written)
            guard case .responding = state else { return }
            if !keepAlive || quiescing {
                written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
            } else {
                state = .waiting(started: false)
                arm(after: limits.idleTimeout, context: context, respond: nil)
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !upgraded, let parserError = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        guard case .waiting = state else {
            // Mid-request (a malformed chunk, a connection closed before its Content-Length): the request body
            // must fail, not end as if complete, or a truncated body that happens to parse would be stored.
            context.fireErrorCaught(error)
            context.close(promise: nil)
            return
        }
        respond(Self.status(for: parserError), context: context)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent, !upgraded {
            quiescing = true
            if case .waiting = state { context.close(promise: nil) }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimer()
        context.fireChannelInactive()
    }

    static func status(for error: HTTPParserError) -> HTTPResponseStatus {
        switch error {
        case .headerOverflow: .requestHeaderFieldsTooLarge
        case .invalidMethod: .notImplemented
        default: .badRequest
        }
    }

    private func respond(_ status: HTTPResponseStatus, context: ChannelHandlerContext) {
        let body = #"{"error":{"code":"\#(Self.code(status))","message":"\#(Self.message(status))"}}"#
        var headers = HTTPHeaders([("content-type", "application/json; charset=utf-8"), ("connection", "close")])
        headers.add(name: "content-length", value: String(body.utf8.count))
        respond(head: HTTPResponseHead(version: .http1_1, status: status, headers: headers), body: Array(body.utf8), context: context)
    }

    /// Writes a whole answer (its head says `connection: close`) and closes the connection once it is sent.
    private func respond(head: HTTPResponseHead, body: [UInt8], context: ChannelHandlerContext) {
        cancelTimer()
        state = .responding
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }

    private static func code(_ status: HTTPResponseStatus) -> String {
        switch status {
        case .requestHeaderFieldsTooLarge: "headers_too_large"
        case .notImplemented: "method_not_implemented"
        case .requestTimeout: "request_timeout"
        default: "malformed_request"
        }
    }

    private static func message(_ status: HTTPResponseStatus) -> String {
        switch status {
        case .requestHeaderFieldsTooLarge: "request headers exceed 80 KiB"
        case .notImplemented: "the request method is not one this server implements"
        case .requestTimeout: "the request headers did not arrive in time"
        default: "the request is not valid HTTP/1.1"
        }
    }

    /// The body did not arrive within `bodyTimeout`.
    struct BodyTimeout: Error {}

    /// After `delay`, answers with `respond` (or just closes, first failing the request being read with
    /// `failing`) unless the timer was re-armed or cancelled first.
    private func arm(
        after delay: Duration, context: ChannelHandlerContext, respond status: HTTPResponseStatus?, failing: (any Error)? = nil
    ) {
        cancelTimer()
        let nanoseconds = delay.components.seconds * 1_000_000_000 + delay.components.attoseconds / 1_000_000_000
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(nanoseconds)) { [weak self] in
            guard let self else { return }
            self.timer = nil
            if let status {
                self.respond(status, context: context)
            } else {
                if let failing { context.fireErrorCaught(failing) }
                context.close(promise: nil)
            }
        }
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
    }

    /// Forwards raw bytes unchanged, telling the guard that a request has begun.
    final class ByteObserver: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = ByteBuffer
        typealias InboundOut = ByteBuffer
        fileprivate weak var owner: HTTPConnectionGuard?

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            if let owner, owner.awaitsFirstByte, let ownerContext = try? context.pipeline.syncOperations.context(handler: owner) {
                owner.bytesArrived(context: ownerContext)
            }
            context.fireChannelRead(data)
        }
    }
}
