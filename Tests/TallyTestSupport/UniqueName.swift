import Foundation

/// A name no other test uses (`prefix` + 16 lower-case hex digits): PostgreSQL schemas and Kafka topics, so that
/// tests sharing one server run in parallel without seeing each other's data.
public func uniqueName(_ prefix: String) -> String {
    prefix + String(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16))
}
