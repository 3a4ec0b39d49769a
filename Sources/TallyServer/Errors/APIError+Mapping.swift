import Hummingbird
import TallyCore
import TallyPipeline

extension APIError {
    /// Maps any error thrown below the HTTP edge to what the client sees. Internal details of unexpected errors are
    /// logged, not returned.
    static func from(_ error: any Error) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as InputError:
            return from(error)
        case let error as IngestError:
            switch error {
            case .overloaded(let limit):
                return APIError(
                    .serviceUnavailable, code: "overloaded",
                    message: "more than \(limit) events are waiting to be committed; retry shortly", retryAfter: 1)
            case .shuttingDown:
                return unavailable("the server is shutting down; retry on another instance")
            }
        case is StoreError:
            return unavailable("the event store is unavailable; nothing was stored, retry later")
        case let error as PublishError:
            return unavailable("the events were stored but could not be published (\(error.reason)); a retry may store them twice")
        case let error as HTTPError:
            return from(error)
        default:
            return APIError(.internalServerError, code: "internal", message: "internal error")
        }
    }

    static func from(_ error: InputError) -> APIError {
        switch error {
        case .malformed(let syntax, let item):
            let location = item.map { "item \($0): " } ?? ""
            return APIError(.badRequest, code: "malformed_json", message: "body is not valid JSON: \(location)\(syntax)")
        case .wrongShape(let message):
            return APIError(.badRequest, code: "invalid_body", message: message)
        case .tooManyItems(let limit):
            return APIError(
                .contentTooLarge, code: "batch_too_large", message: "a batch may hold at most \(limit) events")
        case .invalidItems(let items, let invalidCount, let total):
            if items.count == 1, items[0].index == nil {
                let only = items[0].error
                return APIError(.badRequest, code: only.code.rawValue, message: only.message, field: only.field)
            }
            if items.allSatisfy({ $0.index == nil }) {
                return APIError(
                    .badRequest, code: "invalid_fields",
                    message: items.map(\.error.message).joined(separator: "; "),
                    field: items.first?.error.field, items: items)
            }
            return APIError(
                .badRequest, code: "invalid_batch",
                message: "\(invalidCount) of \(total) events are invalid; nothing was stored",
                field: items.first?.error.field, items: items)
        }
    }

    static func from(_ error: HTTPError) -> APIError {
        switch error.status {
        case .notFound:
            return notFound("no such route")
        case .methodNotAllowed:
            return APIError(error.status, code: "method_not_allowed", message: "method not allowed on this route")
        case .contentTooLarge:
            return APIError(error.status, code: "body_too_large", message: error.body ?? "request body is too large")
        default:
            return APIError(error.status, code: "http_\(error.status.code)", message: error.body ?? error.status.reasonPhrase)
        }
    }
}
