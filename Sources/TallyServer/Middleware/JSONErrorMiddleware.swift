import Hummingbird
import Logging
import TallyPipeline

/// Turns every error a handler throws into the JSON error body, so no client ever gets an empty or HTML error.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Counts every error answered, by code, for `/stats/ingest`.
    let stats: IngestStats

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let apiError = APIError.from(error)
            stats.recordError(code: apiError.code)
            if apiError.status.code >= 500 {
                context.logger.error("request failed", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            }
            return try apiError.response(from: request, context: context)
        }
    }
}
