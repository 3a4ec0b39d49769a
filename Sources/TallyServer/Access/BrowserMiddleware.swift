import Hummingbird
import TallyCore

/// The browser's side of access: answers CORS preflights, marks responses readable by the pages `--cors-origins`
/// lists, refuses requests from other pages, and refuses `Host` names the server does not answer to (so that a
/// page whose DNS name was rebound to this server's address cannot reach it).
///
/// Hummingbird's `CORSMiddleware` was not enough: it allows one origin or all, the same on every route, while ingest
/// may be open to every page (`*`) and reads never are.
struct BrowserMiddleware<Context: RequestContext>: RouterMiddleware {
    let policy: BrowserPolicy
    /// Seconds a browser may cache a preflight's answer.
    static var maxAge: String { "600" }
    static var exposedHeaders: String { "Retry-After, WWW-Authenticate, Tally-Window-Start, Tally-Window-End, Tally-Revision" }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let host = request.head.authority
        try Self.check(host: host, policy: policy)
        guard let origin = request.headers[.origin] else { return try await next(request, context) }
        let path = request.uri.path
        if request.method == .options, let method = request.headers[.accessControlRequestMethod] {
            try Self.check(origin: origin, method: method, path: path, host: host, policy: policy)
            return Response(
                status: .noContent,
                headers: [
                    .accessControlAllowOrigin: origin, .accessControlAllowMethods: "GET, HEAD, POST",
                    .accessControlAllowHeaders: "authorization, content-type", .accessControlMaxAge: Self.maxAge, .vary: "Origin",
                ])
        }
        try Self.check(origin: origin, method: request.method.rawValue, path: path, host: host, policy: policy)
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        response.headers[.accessControlAllowOrigin] = origin
        response.headers[.accessControlExposeHeaders] = Self.exposedHeaders
        response.headers[.vary] = "Origin"
        return response
    }

    static func check(host: String?, policy: BrowserPolicy) throws(APIError) {
        guard policy.answers(host: host) else {
            throw APIError(
                .misdirectedRequest, code: "host_not_allowed",
                message: "this server does not answer to Host \(host ?? ""); add the name to --allowed-hosts")
        }
    }

    static func check(origin: String, method: String, path: String, host: String?, policy: BrowserPolicy) throws(APIError) {
        let scope: AccessScope? =
            switch AccessPolicy.access(method: method, path: path) {
            case .open: nil
            case .needs(let scope): scope
            }
        guard scope == nil || policy.allows(origin: origin, scope: scope, host: host) else {
            throw APIError(
                .forbidden, code: "origin_not_allowed",
                message: "pages of \(origin) may not use \(path); list the origin in --cors-origins")
        }
    }
}
