/// The OpenAPI 3.1 document of every route, `Assets/openapi.json` compiled in: the file is the one source, read by
/// people in the repository and by tools from `GET /openapi.json`; a test holds it against the router.
enum OpenAPIDocument {
    static let json = EmbeddedAssets.files["openapi.json"] ?? "{}"
}
