import Hummingbird
import TallyCore

/// The one error type of the HTTP edge. Every failure a client can see becomes one of these, rendered as
/// `{"error":{"code":…,"message":…,"field":…}}` with the status it carries.
public struct APIError: Error, HTTPResponseError, Sendable {
    /// The HTTP status: 4xx for the client's mistakes, 503 for a store or broker that failed.
    public var status: HTTPResponse.Status
    /// Stable and machine-readable (`invalid_field`, `rate_limited`, …): clients branch on it, not on `message`.
    public var code: String
    /// For the person reading the log: names the field and the problem.
    public var message: String
    /// The request field at fault, when one is.
    public var field: String?
    /// Per-item problems of a rejected batch.
    public var items: [ItemError]
    /// Seconds after which a retry makes sense (503s).
    public var retryAfter: Int?
    /// Index of the offending entry of a session message.
    public var entry: Int?
    /// Headers the answer needs (`Allow` on a 405).
    public var headers: HTTPFields = [:]

    /// An error with its status, code and message; the rest only when it applies.
    public init(
        _ status: HTTPResponse.Status, code: String, message: String, field: String? = nil,
        items: [ItemError] = [], retryAfter: Int? = nil
    ) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.items = items
        self.retryAfter = retryAfter
    }

    /// The JSON answer, so that errors thrown anywhere under the router reach clients in the one documented shape.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = Response.json(status) { write(into: &$0) }
        if let retryAfter { response.headers[.retryAfter] = String(retryAfter) }
        for field in headers { response.headers[field.name] = field.value }
        return response
    }

    func write(into json: inout JSONWriter) {
        json.beginObject()
        json.key("error")
        json.beginObject()
        json.member("code", code)
        json.member("message", message)
        if let field { json.member("field", field) }
        if let entry { json.member("entry", entry) }
        if !items.isEmpty {
            json.key("items")
            json.beginArray()
            for item in items {
                json.beginObject()
                if let index = item.index { json.member("index", index) }
                json.member("field", item.error.field)
                json.member("code", item.error.code.rawValue)
                json.member("message", item.error.message)
                json.endObject()
            }
            json.endArray()
        }
        json.endObject()
        json.endObject()
    }
}

extension APIError {
    static func notFound(_ message: String) -> APIError {
        APIError(.notFound, code: "not_found", message: message)
    }

    static func unavailable(_ message: String) -> APIError {
        APIError(.serviceUnavailable, code: "unavailable", message: message, retryAfter: 1)
    }
}
