import TallyCore

/// Where accepted events are also sent before the client is acknowledged (a Kafka topic per kind, with the Kafka
/// trait). The writer calls it after the store committed a batch; a failure fails the batch's requests with
/// `PublishError` (503: the events are stored but not published, and a retry may store them twice).
public protocol EventPublisher: Sendable {
    func publish(_ events: [ReceivedEvent], ads: [AdEvent]) async throws
    /// Delivers what is in flight and releases the connection.
    func close() async
}

/// The batch was committed to the store but its events could not be published.
public struct PublishError: Error, CustomStringConvertible, Sendable {
    /// The broker's error, as text.
    public var reason: String

    /// A publish failure with its reason.
    public init(reason: String) {
        self.reason = reason
    }

    public var description: String { "publishing failed: \(reason)" }
}
