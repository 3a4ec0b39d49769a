import HTTPTypes
import TallyCore

/// The decision behind every request: whether its key (in `Authorization: Bearer`, or `?key=` for ingest) has the
/// scope its route needs (`AccessPolicy`). Shared by the router's middleware and the connection guard, which
/// must refuse a WebSocket upgrade itself: the WebSocket library answers any refused upgrade with an empty 400.
public struct AccessCheck: Sendable {
    let ring: KeyRing
    let clock: WallClock

    /// A check against `ring`; `clock` stamps key uses.
    public init(ring: KeyRing, clock: WallClock) {
        self.ring = ring
        self.clock = clock
    }

    /// Throws the 401 or 403 the request gets; for a request that may go on, returns the id of its key (nil on an
    /// open route).
    @discardableResult
    public func authorize(method: String, path: String, authorization: String?, queryKey: Substring?) throws(APIError) -> String? {
        guard case .needs(let scope) = AccessPolicy.access(method: method, path: path) else { return nil }
        let text: Substring
        let inQuery: Bool
        if let authorization {
            guard let credentials = Self.bearerCredentials(authorization) else {
                throw Self.unauthorized("invalid_key", "Authorization must be Bearer KEY", error: "invalid_request")
            }
            (text, inQuery) = (credentials, false)
        } else if let queryKey {
            guard scope == .ingest else {
                throw Self.unauthorized(
                    "missing_key", "a key in the query string is accepted on ingest routes only; send Authorization: Bearer KEY",
                    error: "invalid_request")
            }
            (text, inQuery) = (queryKey, true)
        } else {
            throw Self.unauthorized(
                "missing_key", "\(path) needs an API key with \(Self.needed(scope)): send Authorization: Bearer KEY", error: nil)
        }
        guard let key = ring.authenticate(text, now: clock.now()) else {
            throw Self.unauthorized("invalid_key", "the API key is not valid (unknown, revoked or malformed)", error: "invalid_token")
        }
        guard key.scope.allows(scope) else {
            var error = APIError(
                .forbidden, code: "insufficient_scope",
                message: "\(path) needs a key with \(Self.needed(scope)); key \(key.id) has scope \(key.scope)")
            error.headers[.wwwAuthenticate] = #"Bearer realm="tally", error="insufficient_scope", scope="\#(scope)""#
            throw error
        }
        if inQuery, key.scope != .ingest {
            throw APIError(
                .forbidden, code: "key_in_url",
                message:
                    "only ingest keys may be sent in the query string; send key \(key.id) in Authorization: Bearer KEY, and consider it exposed"
            )
        }
        return key.id
    }

    /// The credentials of `Bearer KEY` (the scheme in any case, spaces around it), or nil for another scheme or
    /// none. Read in place: every request has one.
    static func bearerCredentials(_ header: String) -> Substring? {
        // On UTF-8 bytes: Character comparisons would cost every request a grapheme walk.
        let utf8 = header.utf8
        let space = UInt8(ascii: " ")
        guard let schemeStart = utf8.firstIndex(where: { $0 != space }) else { return nil }
        let schemeEnd = utf8[schemeStart...].firstIndex(of: space) ?? utf8.endIndex
        guard utf8[schemeStart..<schemeEnd].elementsEqual("bearer".utf8, by: { $0 | 0x20 == $1 }),
            let start = utf8[schemeEnd...].firstIndex(where: { $0 != space })
        else { return nil }
        return header[start...]
    }

    static func needed(_ scope: AccessScope) -> String {
        "scope \(scope)\(scope == .admin ? "" : " or admin")"
    }

    static func unauthorized(_ code: String, _ message: String, error: String?) -> APIError {
        var apiError = APIError(.unauthorized, code: code, message: message)
        apiError.headers[.wwwAuthenticate] = #"Bearer realm="tally""# + (error.map { #", error="\#($0)""# } ?? "")
        return apiError
    }
}
