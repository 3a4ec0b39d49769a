import HTTPTypes
import TallyCore

/// The decision behind every request: whether its key (in `Authorization: Bearer`, or `?key=` for ingest) has the
/// scope its route needs (`AccessPolicy`). Shared by the router's middleware and the connection guard, which
/// must refuse a WebSocket upgrade itself: the WebSocket library answers any refused upgrade with an empty 400.
struct AccessCheck: Sendable {
    let ring: KeyRing
    let clock: WallClock

    /// Throws the 401 or 403 the request gets; for a request that may go on, returns the id of its key (nil on an
    /// open route).
    @discardableResult
    func authorize(method: String, path: String, authorization: String?, queryKey: Substring?) throws(APIError) -> String? {
        guard case .needs(let scope) = AccessPolicy.access(method: method, path: path) else { return nil }
        let needed = "scope \(scope)\(scope == .admin ? "" : " or admin")"
        let text: Substring
        let inQuery: Bool
        if let authorization {
            let parts = authorization.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else {
                throw Self.unauthorized("invalid_key", "Authorization must be Bearer KEY", error: "invalid_request")
            }
            (text, inQuery) = (parts[1].drop { $0 == " " }, false)
        } else if let queryKey {
            guard scope == .ingest else {
                throw Self.unauthorized(
                    "missing_key", "a key in the query string is accepted on ingest routes only; send Authorization: Bearer KEY",
                    error: "invalid_request")
            }
            (text, inQuery) = (queryKey, true)
        } else {
            throw Self.unauthorized("missing_key", "\(path) needs an API key with \(needed): send Authorization: Bearer KEY", error: nil)
        }
        guard let token = APIKeyToken(text), let key = ring.authenticate(token, now: clock.now()) else {
            throw Self.unauthorized("invalid_key", "the API key is not valid (unknown, revoked or malformed)", error: "invalid_token")
        }
        guard key.scope.allows(scope) else {
            var error = APIError(
                .forbidden, code: "insufficient_scope", message: "\(path) needs a key with \(needed); key \(key.id) has scope \(key.scope)")
            error.headers[.wwwAuthenticate] = #"Bearer realm="tally", error="insufficient_scope", scope="\#(scope)""#
            throw error
        }
        if inQuery, key.scope != .ingest {
            throw APIError(
                .forbidden, code: "key_in_url",
                message: "only ingest keys may be sent in the query string; send key \(key.id) in Authorization: Bearer KEY, and consider it exposed")
        }
        return key.id
    }

    static func unauthorized(_ code: String, _ message: String, error: String?) -> APIError {
        var apiError = APIError(.unauthorized, code: code, message: message)
        apiError.headers[.wwwAuthenticate] = #"Bearer realm="tally""# + (error.map { #", error="\#($0)""# } ?? "")
        return apiError
    }
}
