import Foundation
import HTTPTypes
import Testing

@testable import TallyServer

/// The dashboard's files are served from the binary, open (they hold no data), under a policy that lets the page
/// load only this server's own script and styles. Its behaviour in a browser is `scripts/dashboard-test.py`.
@Suite("Dashboard files")
struct DashboardTests {
    static let assets = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appending(path: "Assets")

    @Test func everyFileIsServedAsOnDiskWithoutAKey() async throws {
        var configuration = ServerConfiguration()
        configuration.access.mode = .required
        try await withTally(configuration: configuration) { client in
            for asset in DashboardRoutes.files {
                let response = try await client.get(asset.path)
                let onDisk = try String(contentsOf: Self.assets.appending(path: asset.file), encoding: .utf8)
                #expect(response.status == .ok, "\(asset.path)")
                #expect(response.headers[.contentType] == asset.contentType)
                #expect(response.text == onDisk || response.text + "\n" == onDisk, "\(asset.path) differs from Assets/\(asset.file)")
                let policy = response.headers[.contentSecurityPolicy] ?? ""
                #expect(policy.contains("script-src 'self'") && policy.contains("connect-src 'self'") && !policy.contains("unsafe"))
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
            }
            // The page is open; the data it shows is not.
            #expect(try await client.get("/stats/ingest").status == .unauthorized)
        }
    }

    @Test func thePageLoadsNothingFromAnotherOrigin() throws {
        for asset in DashboardRoutes.files {
            // The SVG namespace is a name, not an address the page loads.
            let text = try String(contentsOf: Self.assets.appending(path: asset.file), encoding: .utf8)
                .replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "")
            #expect(!text.contains("http://") && !text.contains("https://"), "Assets/\(asset.file) names another origin")
        }
    }
}
