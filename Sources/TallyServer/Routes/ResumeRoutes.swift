import HTTPTypes
import Hummingbird
import ServiceLifecycle
import TallyCore
import TallyPipeline

/// `GET /users/{user}/resume` (latest or a given closed window) and `GET /resume/stream` (every array as it is
/// emitted, as server-sent events or NDJSON).
struct ResumeRoutes<Context: RequestContext>: Sendable {
    let view: ResumeView
    let store: any ResumeWindowStore
    let limits: InputLimits
    let streamBufferBytes: Int

    func register(on router: Router<Context>) {
        router.get("/users/{user}/resume") { request, context in
            let user = try context.parameters.identifier("user", maxBytes: limits.maxIdBytes)
            let record: ResumeRecord?
            if let text = request.uri.queryParameters["window"] {
                let start = try Self.windowStart(String(text), unit: view.configuration.window)
                record = try await store.resumeWindow(user: user, start: start)
            } else {
                record = try await store.latestResumeWindow(user: user)
            }
            guard let record else { throw APIError.notFound("no closed resume window for user \(user)") }
            var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
            headers[.tallyWindowStart] = ISO8601.format(record.window.start, style: .zulu)
            headers[.tallyWindowEnd] = ISO8601.format(record.window.end, style: .zulu)
            headers[.tallyRevision] = String(record.revision)
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: record.json + [0x0A])))
        }
        router.get("/resume/stream") { request, _ in
            let format = request.uri.queryParameters["format"].map(String.init)
            guard format == nil || format == "ndjson" || format == "sse" else {
                throw APIError(.badRequest, code: "invalid_value", message: "format must be sse or ndjson", field: "format")
            }
            let ndjson = format == "ndjson" || (format == nil && request.headers[.accept]?.contains("ndjson") == true)
            let stream = view.subscribe(maxBufferedBytes: streamBufferBytes)
            let contentType = ndjson ? "application/x-ndjson" : "text/event-stream"
            return Response(
                status: .ok,
                headers: [.contentType: contentType, .cacheControl: "no-cache"],
                body: ResponseBody { writer in
                    // Ends on client disconnect, or when the server starts shutting down (which ends every
                    // resume stream, so that open streams never hold up a graceful shutdown).
                    try await withGracefulShutdownHandler {
                        for await item in stream {
                            switch item {
                            case .record(let record): try await writer.write(Self.frame(record, ndjson: ndjson))
                            case .end(let reason): try await writer.write(Self.endFrame(reason, ndjson: ndjson))
                            }
                        }
                    } onGracefulShutdown: {
                        view.finishSubscribers()
                    }
                    try await writer.finish(nil)
                })
        }
    }

    static func frame(_ record: ResumeRecord, ndjson: Bool) -> ByteBuffer {
        var buffer = ByteBuffer()
        if ndjson {
            buffer.writeBytes(record.json)
            buffer.writeString("\n")
        } else {
            buffer.writeString("event: resume\nid: \(record.window.start.millisecondsSinceEpoch)-\(record.revision)\ndata: ")
            buffer.writeBytes(record.json)
            buffer.writeString("\n\n")
        }
        return buffer
    }

    /// The stream's last item, saying why it ends: `slow_consumer` (the reader fell more than
    /// `--resume-stream-buffer-bytes` behind) or `shutdown`.
    static func endFrame(_ reason: ResumeSubscription.EndReason, ndjson: Bool) -> ByteBuffer {
        let message =
            switch reason {
            case .slowConsumer:
                "the stream fell too far behind and was dropped; reconnect, and read missed windows from /users/{user}/resume?window="
            case .shutdown: "the server is shutting down; reconnect to another server or later"
            }
        var json = JSONWriter()
        json.beginObject()
        json.key("end")
        json.beginObject()
        json.member("reason", reason.rawValue)
        json.member("message", message)
        json.endObject()
        json.endObject()
        var buffer = ByteBuffer()
        if !ndjson { buffer.writeString("event: end\ndata: ") }
        buffer.writeBytes(json.bytes)
        buffer.writeString(ndjson ? "\n" : "\n\n")
        return buffer
    }

    static func windowStart(_ text: String, unit: WindowUnit) throws -> Timestamp {
        let time: Timestamp
        do {
            time = try ISO8601.parse(text)
        } catch {
            throw APIError(.badRequest, code: "invalid_value", message: "window \(error.description)", field: "window")
        }
        let window = unit.window(containing: time)
        guard window.start == time else {
            throw APIError(
                .badRequest, code: "invalid_value",
                message: "window must be the start of a \(unit) window, e.g. \(ISO8601.format(window.start, style: .zulu))",
                field: "window")
        }
        return time
    }
}

extension HTTPField.Name {
    /// Response headers of `GET /users/{user}/resume`: which window and revision the array is.
    public static let tallyWindowStart = Self("Tally-Window-Start")!
    /// The end of the window (exclusive).
    public static let tallyWindowEnd = Self("Tally-Window-End")!
    /// The array's revision (0 unless late heartbeats corrected it).
    public static let tallyRevision = Self("Tally-Revision")!
}
