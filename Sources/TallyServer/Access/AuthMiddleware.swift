import Hummingbird

/// Lets a request through only with a key whose scope its route needs (`AccessCheck`).
///
/// Keys come in `Authorization: Bearer KEY`; clients that cannot set headers (`navigator.sendBeacon`, a browser
/// WebSocket) may put an `ingest` key in `?key=` on ingest routes. Other scopes never travel in URLs, which end up
/// in proxy logs and browser history.
/// WebSocket upgrades are decided earlier, by the connection guard's `UpgradeGate`.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = TallyRequestContext
    let check: AccessCheck

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.keyID = try check.authorize(
            method: request.method.rawValue, path: request.uri.path, authorization: request.headers[.authorization],
            queryKey: request.uri.queryParameters["key"])
        return try await next(request, context)
    }
}
