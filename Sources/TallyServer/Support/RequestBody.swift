import Hummingbird
import NIOCore
import TallyCore

/// Reads a request body for decoding, enforcing the content type and the size limit before any parsing.
struct RequestBody {
    let maxBytes: Int

    /// JSON and NDJSON media types, and `text/plain` holding either (what `navigator.sendBeacon` sends for a string,
    /// and the one type a browser may POST across origins without a preflight); a missing `Content-Type` is
    /// accepted because some event generators omit it.
    static let acceptedTypes: Set<String> = [
        "application/json", "application/x-ndjson", "application/ndjson", "application/jsonl", "text/plain",
    ]

    func collect(_ request: Request) async throws -> ByteBuffer {
        if let contentType = request.headers[.contentType] {
            let mediaType = (contentType.split(separator: ";").first ?? "")
                .filter { $0 != " " && $0 != "\t" }.lowercased()
            guard Self.acceptedTypes.contains(mediaType) else {
                throw APIError(
                    .unsupportedMediaType, code: "unsupported_media_type",
                    message:
                        "Content-Type must be application/json, application/x-ndjson for batches, or text/plain holding either, got \(contentType)",
                    field: "Content-Type")
            }
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBytes {
            throw tooLarge
        }
        do {
            return try await request.body.collect(upTo: maxBytes)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw tooLarge
        } catch is NIOTooManyBytesError {
            // A chunked body has no Content-Length to check up front; it is cut off when it passes the limit.
            throw tooLarge
        }
    }

    private var tooLarge: APIError {
        APIError(.contentTooLarge, code: "body_too_large", message: "request body exceeds the limit of \(maxBytes) bytes")
    }
}
