import NIOCore

/// Sits on the raw bytes of an upgraded WebSocket connection, below the WebSocket codec, and bounds what a client
/// can make the server hold or read: frames per message (the codec keeps every fragment of a message as its own
/// frame, so tiny fragments cost far more than their bytes), pings per interval, time without a message, and bytes
/// read after a close was sent (the codec reads on, unbounded, while it waits for the client's close reply).
///
/// It answers a violation itself with a close frame, then passes the client nothing more and closes the connection
/// when the client's close arrives or after the close timeout.
final class WebSocketConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Bytes a client may still send after the server's close, so its close reply gets through.
    static let bytesAfterClose = 64 * 1024

    private let limits: WebSocketLimits
    private var inbound = WebSocketFrameScanner()
    private var outbound = WebSocketFrameScanner()
    /// The 101 response is still going out: outbound bytes are HTTP until its blank line.
    private var outboundHeadLeft = HTTPHeadEnd()
    private var fragments = 0
    private var pings = 0
    private var pingWindowStart = NIODeadline.now()
    private var lastMessage = NIODeadline.now()
    private var closeSent = false
    /// The guard closed the connection itself: the codec must see nothing more from the client.
    private var closedByGuard = false
    private var bytesSinceClose = 0
    private var idleTimer: Scheduled<Void>?
    private var closeTimer: Scheduled<Void>?

    init(limits: WebSocketLimits) {
        self.limits = limits
    }

    func handlerAdded(context: ChannelHandlerContext) {
        armIdleCheck(after: limits.idleTimeout, context: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        idleTimer?.cancel()
        closeTimer?.cancel()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        if closeSent {
            bytesSinceClose += buffer.readableBytes
            if closedByGuard || bytesSinceClose > Self.bytesAfterClose {
                var sawClose = false
                inbound.scan(buffer.readableBytesView) { sawClose = sawClose || $0.opcode == WebSocketFrameScanner.Header.close }
                if sawClose || bytesSinceClose > Self.bytesAfterClose { context.close(promise: nil) }
                return
            }
            context.fireChannelRead(data)
            return
        }
        var violation: (code: UInt16, reason: String)?
        inbound.scan(buffer.readableBytesView) { header in
            guard violation == nil else { return }
            violation = check(header)
        }
        if let violation {
            fail(code: violation.code, reason: violation.reason, context: context)
            return
        }
        context.fireChannelRead(data)
    }

    private func check(_ header: WebSocketFrameScanner.Header) -> (code: UInt16, reason: String)? {
        if header.opcode == WebSocketFrameScanner.Header.ping {
            let now = NIODeadline.now()
            if now - pingWindowStart > .seconds(10) {
                pingWindowStart = now
                pings = 0
            }
            pings += 1
            return pings > limits.maxPingsPer10Seconds ? (1008, "more than \(limits.maxPingsPer10Seconds) pings in 10 s") : nil
        }
        guard !header.isControl else { return nil }
        lastMessage = .now()
        fragments = header.opcode == WebSocketFrameScanner.Header.continuation ? fragments + 1 : 1
        if fragments > limits.maxFramesPerMessage {
            return (1009, "a message may have at most \(limits.maxFramesPerMessage) frames")
        }
        return nil
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if closedByGuard {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        var buffer = unwrapOutboundIn(data)
        if !outboundHeadLeft.done {
            let consumed = outboundHeadLeft.consume(buffer.readableBytesView)
            buffer.moveReaderIndex(forwardBy: consumed)
        }
        outbound.scan(buffer.readableBytesView) { header in
            if header.opcode == WebSocketFrameScanner.Header.close { closeWasSent(context: context) }
        }
        context.write(data, promise: promise)
    }

    /// Sends a close frame with `code` and `reason`, and lets nothing from the client through any more.
    private func fail(code: UInt16, reason: String, context: ChannelHandlerContext) {
        guard !closeSent else { return }
        var frame = context.channel.allocator.buffer(capacity: 4 + reason.utf8.count)
        let reasonBytes = Array(reason.utf8.prefix(123))
        frame.writeInteger(UInt8(0x88))
        frame.writeInteger(UInt8(2 + reasonBytes.count))
        frame.writeInteger(code)
        frame.writeBytes(reasonBytes)
        closeWasSent(context: context)
        closedByGuard = true
        context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
    }

    private func closeWasSent(context: ChannelHandlerContext) {
        guard !closeSent else { return }
        closeSent = true
        idleTimer?.cancel()
        closeTimer = context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(limits.closeTimeout.nanoseconds)) {
            context.close(promise: nil)
        }
    }

    /// Closes the connection with 1001 once no message arrived for `idleTimeout`.
    private func armIdleCheck(after delay: Duration, context: ChannelHandlerContext) {
        idleTimer = context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(delay.nanoseconds)) { [weak self] in
            guard let self, !self.closeSent else { return }
            let quiet = NIODeadline.now() - self.lastMessage
            let idle = TimeAmount.nanoseconds(self.limits.idleTimeout.nanoseconds)
            if quiet >= idle {
                self.fail(code: 1001, reason: "no message for \(self.limits.idleTimeout)", context: context)
            } else {
                self.armIdleCheck(after: .nanoseconds((idle - quiet).nanoseconds), context: context)
            }
        }
    }
}

/// Finds the end of an HTTP head (`\r\n\r\n`) across buffers.
struct HTTPHeadEnd {
    private var matched = 0
    private(set) var done = false

    /// Bytes of `bytes` that belong to the head.
    mutating func consume(_ bytes: some Collection<UInt8>) -> Int {
        let pattern: [UInt8] = [13, 10, 13, 10]
        var count = 0
        for byte in bytes {
            count += 1
            matched = byte == pattern[matched] ? matched + 1 : (byte == 13 ? 1 : 0)
            if matched == 4 {
                done = true
                return count
            }
        }
        return count
    }
}

extension Duration {
    var nanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
