import Hummingbird
import HummingbirdWebSocket
import Logging
import TallyCore
import TallyPipeline

/// `GET /sessions/{id}/stream` as a WebSocket: each text frame is one message; the server answers each with
/// `{"accepted":N,"total":T}` once durable, or `{"error":{…}}` (the connection stays open); after the ack of the
/// `SESSION_END` it closes with 1000; a protocol violation closes with 4001 and the reason.
struct SessionWebSocket: Sendable {
    let ingest: SessionIngest

    func register(on router: Router<BasicWebSocketRequestContext>) {
        router.ws("/sessions/{id}/stream") { _, _ in
            .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            let id: String
            do {
                id = try context.requestContext.parameters.identifier("id", maxBytes: ingest.limits.maxNameBytes)
            } catch let error as APIError {
                var json = JSONWriter()
                error.write(into: &json)
                try await outbound.write(.text(json.string))
                try await outbound.close(.unknown(4001), reason: String(error.message.prefix(120)))
                return
            }
            for try await message in inbound.messages(maxSize: ingest.limits.maxMessageBytes) {
                let bytes: [UInt8]
                switch message {
                case .text(let text): bytes = Array(text.utf8)
                case .binary(let buffer): bytes = Array(buffer.readableBytesView)
                }
                switch try await ingest.handle(bytes, session: id) {
                case .accepted(let ack):
                    try await outbound.write(.text(String(decoding: SessionIngest.ackJSON(ack), as: UTF8.self)))
                    if ack.complete && ack.accepted > 0 {
                        try await outbound.close(.normalClosure, reason: "session complete")
                        return
                    }
                case .refused(let error):
                    let api = APIError(error)
                    var json = JSONWriter()
                    api.write(into: &json)
                    try await outbound.write(.text(json.string))
                    if error.isProtocolViolation {
                        try await outbound.close(.unknown(error.closeCode), reason: String(error.message.prefix(120)))
                        return
                    }
                }
            }
        }
    }
}
