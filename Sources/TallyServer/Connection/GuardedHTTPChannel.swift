import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// Hummingbird's HTTP/1 + WebSocket child channel with an `HTTPConnectionGuard` put in after its HTTP decoder.
struct GuardedHTTPChannel<Inner: ServerChildChannel>: ServerChildChannel {
    let inner: Inner
    let limits: ConnectionLimits
    /// Refuses WebSocket upgrades without the right key (nil: every upgrade goes on to the router).
    let upgradeGate: UpgradeGate?

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Inner.Value> {
        inner.setup(channel: channel, logger: logger).flatMapThrowing { [limits, upgradeGate] value in
            let pipeline = channel.pipeline.syncOperations
            let decoder = try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            let connectionGuard = HTTPConnectionGuard(limits: limits, upgradeGate: upgradeGate)
            try pipeline.addHandler(connectionGuard.byteObserver, position: .before(decoder))
            try pipeline.addHandler(connectionGuard, position: .after(decoder))
            return value
        }
    }

    func handle(value: Inner.Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}
