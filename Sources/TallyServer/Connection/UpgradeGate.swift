import Hummingbird
import HummingbirdCore
import NIOHTTP1
import TallyCore

/// Decides on a WebSocket upgrade request before the upgrade handler sees it, so that a refusal reaches the client
/// as a JSON 401, 403 or 421: hummingbird-websocket answers any upgrade its router refuses with an empty 400.
struct UpgradeGate: Sendable {
    /// Nil when no key is asked for (`--auth off`).
    let check: AccessCheck?
    let browser: BrowserPolicy

    /// The error the upgrade request `head` gets, or nil to let it through.
    func refusal(for head: HTTPRequestHead) -> APIError? {
        let uri = URI(head.uri)
        do throws(APIError) {
            let host = head.headers.first(name: "host")
            try BrowserMiddleware<BasicRequestContext>.check(host: host, policy: browser)
            // Browsers always send Origin with a WebSocket; a page the policy does not allow is refused here,
            // since no CORS rule applies to WebSockets.
            if let origin = head.headers.first(name: "origin") {
                try BrowserMiddleware<BasicRequestContext>.check(
                    origin: origin, method: head.method.rawValue, path: uri.path, host: host, policy: browser)
            }
            try check?.authorize(
                method: head.method.rawValue, path: uri.path, authorization: head.headers.first(name: "authorization"),
                queryKey: uri.queryParameters["key"])
            return nil
        } catch {
            return error
        }
    }
}

extension APIError {
    /// The error as the bytes of a whole HTTP/1.1 answer that closes the connection, for handlers below the router.
    var responseHead: HTTPResponseHead {
        var headers = HTTPHeaders([("content-type", "application/json; charset=utf-8"), ("connection", "close")])
        for field in self.headers { headers.add(name: field.name.rawName, value: field.value) }
        headers.add(name: "content-length", value: String(bodyBytes.count))
        return HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status.code), headers: headers)
    }

    var bodyBytes: [UInt8] {
        var json = JSONWriter()
        write(into: &json)
        return json.bytes + [0x0A]
    }
}
