import Hummingbird
import Synchronization

/// Answers `405` with `Allow` for a known path asked with another method: the router alone would say 404, as if the
/// path did not exist, which sends a client looking for a typo in the wrong place.
struct MethodMiddleware<Context: RequestContext>: RouterMiddleware {
    let routes: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let allowed = routes.methods(for: request.uri.path)
            guard !allowed.isEmpty else { throw error }
            // The router answers HEAD wherever GET works (`.autoGenerateHeadEndpoints`).
            var methods = Set(allowed.map(\.rawValue))
            if allowed.contains(.get) { methods.insert("HEAD") }
            let allow = methods.sorted().joined(separator: ", ")
            var apiError = APIError(
                .methodNotAllowed, code: "method_not_allowed",
                message: "\(request.method.rawValue) is not allowed on \(request.uri.path); allowed: \(allow)")
            apiError.headers[.allow] = allow
            throw apiError
        }
    }
}

/// The router's paths and their methods, read once every route is registered (the middleware is built before).
final class RouteTable: Sendable {
    private let patterns = Mutex<[(segments: [Substring], methods: Set<HTTPRequest.Method>)]>([])

    func load<C>(from router: Router<C>) {
        var byPath: [String: Set<HTTPRequest.Method>] = [:]
        for route in router.routes { byPath[route.path.description, default: []].insert(route.method) }
        patterns.withLock { $0 = byPath.map { (segments: $0.key.split(separator: "/"), methods: $0.value) } }
    }

    /// Methods of the routes whose pattern matches `path` (`{name}` matches any one segment).
    func methods(for path: String) -> Set<HTTPRequest.Method> {
        let segments = path.split(separator: "/")
        return patterns.withLock { patterns in
            patterns.reduce(into: Set<HTTPRequest.Method>()) { allowed, pattern in
                guard pattern.segments.count == segments.count else { return }
                let matches = zip(pattern.segments, segments).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
                if matches { allowed.formUnion(pattern.methods) }
            }
        }
    }
}
