import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import TallyCore
import TallySQLite
import Testing

@testable import TallyServer

/// `Assets/openapi.json` against the server: the same routes, each under the access rule the document states.
@Suite("OpenAPI document")
struct OpenAPIDocumentTests {
    /// "METHOD /path" of every operation in the document, with its `x-scope`.
    private static func documented() throws -> [String: String] {
        let document = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        var operations: [String: String] = [:]
        for (path, methods) in paths {
            for (method, operation) in methods {
                operations["\(method.uppercased()) \(path)"] = (operation as? [String: Any])?["x-scope"] as? String ?? "missing"
            }
        }
        return operations
    }

    @Test func everyRouteIsDocumentedAndEveryDocumentedRouteExists() async throws {
        let directory = TemporaryDirectory()
        let store = try SQLiteEventStore(directory: directory.path)
        let parts = try await TallyApplication.assemble(
            configuration: ServerConfiguration(), store: store, registry: testRegistry, publisher: nil, clock: .system,
            logger: Logger(label: "test"))
        var served = Set(parts.router.routes.filter { $0.method != .head }.map { "\($0.method.rawValue) \($0.path.description)" })
        served.formUnion(parts.webSockets.routes.map { "GET \($0.path.description)" })
        try await store.close()
        let documented = Set(try Self.documented().keys)
        #expect(served.subtracting(documented).sorted() == [], "routes missing from Assets/openapi.json")
        #expect(documented.subtracting(served).sorted() == [], "documented routes the server does not have")
        #expect(served.count >= 20)
    }

    @Test func eachOperationNeedsTheScopeTheDocumentStates() throws {
        for (operation, scope) in try Self.documented() {
            let parts = operation.split(separator: " ")
            let path = String(parts[1]).replacing(/\{[^}]+\}/, with: "x")
            let expected: RouteAccess =
                switch scope {
                case "open": .open
                case "ingest": .needs(.ingest)
                case "read": .needs(.read)
                case "admin": .needs(.admin)
                default: .needs(.admin)
                }
            #expect(scope != "missing", "\(operation) has no x-scope")
            #expect(AccessPolicy.access(method: String(parts[0]), path: path) == expected, "\(operation)")
        }
    }

    @Test func theServerServesTheDocumentWithoutAKey() async throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appending(path: "Assets/openapi.json")
        let onDisk = try String(contentsOf: file, encoding: .utf8)
        var configuration = ServerConfiguration()
        configuration.access.mode = .required
        try await withTally(configuration: configuration) { client in
            let response = try await client.get("/openapi.json")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json; charset=utf-8")
            #expect(response.text + "\n" == onDisk || response.text == onDisk)
            #expect(try await client.get("/users/u/watch-time").status == .unauthorized)
        }
    }
}
