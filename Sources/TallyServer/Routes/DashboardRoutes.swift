import Hummingbird

/// The dashboard at `GET /`: three files of `Assets/` compiled into the binary, so `tally serve` shows it offline,
/// with nothing to build or fetch. The page reads the same JSON API as any client (with a `read` key when keys are
/// required), so these routes are open: they hold no data.
struct DashboardRoutes {
    /// Path → asset file and content type.
    static let files: [(path: String, file: String, contentType: String)] = [
        ("/", "dashboard.html", "text/html; charset=utf-8"),
        ("/dashboard.js", "dashboard.js", "text/javascript; charset=utf-8"),
        ("/dashboard.css", "dashboard.css", "text/css; charset=utf-8"),
    ]

    /// Only this server's own files and API: no inline script, no other origin, and no framing by other sites.
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; "
        + "form-action 'none'; frame-ancestors 'none'"

    func register(on router: Router<TallyRequestContext>) {
        for asset in Self.files {
            let body = ByteBuffer(string: EmbeddedAssets.files[asset.file] ?? "")
            router.get(RouterPath(asset.path)) { _, _ in
                Response(
                    status: .ok,
                    headers: [
                        .contentType: asset.contentType, .cacheControl: "no-cache",
                        .contentSecurityPolicy: Self.contentSecurityPolicy, .xContentTypeOptions: "nosniff",
                    ],
                    body: .init(byteBuffer: body))
            }
        }
    }
}
