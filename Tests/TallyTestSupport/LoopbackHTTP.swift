import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Plain HTTP calls to a server on 127.0.0.1, each on a connection of its own (the Hummingbird test client runs one
/// request at a time, and process tests have no test client at all).
public enum LoopbackHTTP {
    /// POSTs a JSON body; returns the status code.
    public static func post(port: Int, _ path: String, _ body: String) async throws -> Int {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(body.utf8)
        let (_, response) = try await URLSession.shared.data(for: request)
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }

    /// Sends one request; returns the status and the body as text.
    public static func send(port: Int, method: String, _ path: String, body: String? = nil) async throws -> (status: Int, body: String) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        if let body {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(body.utf8)
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    /// GETs a body as text, failing on any status but 200.
    public static func text(port: Int, _ path: String) async throws -> String {
        let (body, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard status == 200 else { throw UnexpectedStatus(status: status, path: path) }
        return String(decoding: body, as: UTF8.self)
    }

    public struct UnexpectedStatus: Error {
        public var status: Int
        public var path: String
    }

    /// GETs a JSON object.
    public static func json(port: Int, _ path: String) async throws -> [String: Any] {
        let (body, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        return try JSONSerialization.jsonObject(with: body) as? [String: Any] ?? [:]
    }
}
