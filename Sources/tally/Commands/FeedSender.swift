import AsyncHTTPClient
import Foundation
import NIOCore
import Synchronization
import TallyCore

/// Posts a `LiveFeed` tick to a server, one request per route (ads and session messages one each, as clients send
/// them), and counts what was sent and what was refused.
final class FeedSender: Sendable {
    let base: String
    let key: String?
    private let counts = Mutex<(sent: [String: Int], failed: [String: Int])>(([:], [:]))

    init(base: String, key: String?) {
        self.base = base
        self.key = key
    }

    /// Fails with a message naming the URL when no Tally server answers there.
    func checkServer() async throws {
        do {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: base + "/health"), timeout: .seconds(5))
            _ = try await response.body.collect(upTo: 1 << 16)
            guard response.status.code == 200 else {
                throw CLIError("\(base)/health answered \(response.status.code): the server is not ready")
            }
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError("no Tally server answers at \(base) (start one with `tally serve`): \(error)")
        }
    }

    func send(_ tick: LiveFeed.Tick) async {
        await withTaskGroup(of: Void.self) { group in
            if !tick.heartbeats.isEmpty {
                group.addTask { await self.post("/heartbeats", kind: "heartbeats", body: LiveFeed.ndjson(tick.heartbeats), ndjson: true) }
            }
            if !tick.watches.isEmpty {
                group.addTask { await self.post("/events", kind: "watch", body: LiveFeed.ndjson(tick.watches), ndjson: true) }
            }
            for ad in tick.ads {
                let flag = ad.click ? "click" : "impression"
                group.addTask { await self.post("/analytics?timestamp=\(ad.timeMs)&user=\(ad.user)&\(flag)", kind: "ads", body: nil) }
            }
            // One session's messages must arrive in order: they go one after another.
            group.addTask {
                for message in tick.sessions {
                    await self.post("/sessions/\(message.id)/events", kind: "sessions", body: message.body)
                }
            }
        }
    }

    private func post(_ path: String, kind: String, body: [UInt8]?, ndjson: Bool = false) async {
        var request = HTTPClientRequest(url: base + path)
        request.method = .POST
        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        if let body {
            request.headers.add(name: "Content-Type", value: ndjson ? "application/x-ndjson" : "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let outcome: String
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            _ = try await response.body.collect(upTo: 1 << 20)
            outcome = (200..<300).contains(response.status.code) ? "" : "\(kind)_\(response.status.code)"
        } catch {
            outcome = "\(kind)_unreachable"
        }
        counts.withLock { counts in
            if outcome.isEmpty { counts.sent[kind, default: 0] += 1 } else { counts.failed[outcome, default: 0] += 1 }
        }
    }

    /// Accepted requests per kind, for the summary.
    var sentFields: [(String, String)] {
        counts.withLock { $0.sent.sorted { $0.key < $1.key }.map { ("\($0.key)_requests", "\($0.value)") } }
    }

    /// Refused or failed requests per kind and status (empty while all were accepted).
    var failureFields: [(String, String)] {
        counts.withLock { $0.failed.sorted { $0.key < $1.key }.map { ($0.key, "\($0.value)") } }
    }
}
