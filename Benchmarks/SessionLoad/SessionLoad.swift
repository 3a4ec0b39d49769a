import Foundation
import HummingbirdWSClient
import Logging
import Synchronization

/// Streams session traces to a running `tally serve` over WebSockets, like real clients: each connection sends a
/// SESSION_START, `--messages` messages of `--entries` shuffled events each, and a SESSION_END, waiting for every
/// ack before the next message. Prints entries/s and ack latency percentiles.
///
///     swift run -c release SessionLoad --port 8000 --sessions 100 --messages 100 --entries 10
@main
struct SessionLoad {
    static func main() async throws {
        let options = Options(CommandLine.arguments.dropFirst())
        let collected = Collected()
        let run = UUID().uuidString.prefix(8)
        let started = ContinuousClock.now
        await withTaskGroup(of: Void.self) { group in
            for session in 0..<options.sessions {
                group.addTask {
                    let id = "load-\(run)-\(session)"
                    do {
                        let measured = try await stream(session: id, options: options)
                        collected.latencies.withLock { $0 += measured }
                    } catch {
                        collected.failures.withLock { $0 += 1 }
                        print("session \(id) failed: \(error)")
                    }
                }
            }
        }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let sorted = collected.latencies.withLock { $0 }.sorted()
        let entries = options.sessions * (options.messages * options.entries + 2)
        func percentile(_ p: Double) -> Double { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
        print(
            """
            sessions=\(options.sessions) messages_per_session=\(options.messages + 2) entries=\(entries) failed=\(collected.failures.withLock { $0 })
            seconds=\(String(format: "%.2f", seconds)) entries_per_second=\(Int(Double(entries) / seconds)) messages_per_second=\(Int(Double(sorted.count) / seconds))
            ack_ms p50=\(String(format: "%.2f", percentile(0.5))) p99=\(String(format: "%.2f", percentile(0.99))) max=\(String(format: "%.2f", sorted.last ?? 0))
            """)
    }

    /// One client: returns the ack latency of each message in milliseconds.
    static func stream(session id: String, options: Options) async throws -> [Double] {
        let collected = Collected()
        let base = 1_569_972_082 + Int.random(in: 0..<1_000_000)
        try await WebSocketClient.connect(
            url: "ws://\(options.host):\(options.port)/sessions/\(id)/stream", logger: Logger(label: "load")
        ) { inbound, outbound, _ in
            var replies = inbound.messages(maxSize: 1 << 16).makeAsyncIterator()
            var messages = [#"[{"timestamp":\#(base),"type":"SESSION_START","session_id":"\#(id)"}]"#]
            for m in 0..<options.messages {
                let events = (0..<options.entries).map { e in
                    #"{"timestamp":\#(base + 1 + Int.random(in: 0..<3600)),"type":"EVENT","name":"event-\#(m)-\#(e)"}"#
                }
                messages.append("[" + events.joined(separator: ",") + "]")
            }
            messages.append(#"[{"timestamp":\#(base + 3601),"type":"SESSION_END","session_id":"\#(id)"}]"#)
            for message in messages {
                let sent = ContinuousClock.now
                try await outbound.write(.text(message))
                guard let reply = try await replies.next(), case .text(let text) = reply, !text.contains("error") else {
                    throw LoadError(description: "no ack for a message of \(id)")
                }
                let elapsed = ContinuousClock.now - sent
                collected.latencies.withLock {
                    $0.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
                }
            }
        }
        return collected.latencies.withLock { $0 }
    }
}

final class Collected: Sendable {
    let latencies = Mutex<[Double]>([])
    let failures = Mutex(0)
}

struct LoadError: Error, CustomStringConvertible {
    var description: String
}

struct Options: Sendable {
    var host = "127.0.0.1"
    var port = 8000
    var sessions = 100
    var messages = 100
    var entries = 10

    init(_ arguments: ArraySlice<String>) {
        var iterator = arguments.makeIterator()
        while let flag = iterator.next() {
            let value = iterator.next() ?? ""
            switch flag {
            case "--host": host = value
            case "--port": port = Int(value) ?? port
            case "--sessions": sessions = Int(value) ?? sessions
            case "--messages": messages = Int(value) ?? messages
            case "--entries": entries = Int(value) ?? entries
            default: fatalError("unknown option \(flag); use --host --port --sessions --messages --entries")
            }
        }
    }
}
