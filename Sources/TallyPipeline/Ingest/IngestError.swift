/// Why the ingest pipeline refused events it was handed. Both are retryable: nothing of the request was stored.
public enum IngestError: Error, Hashable, Sendable {
    /// More events are waiting for a commit than `WriterConfiguration.maxPendingEvents`.
    case overloaded(pendingLimit: Int)
    /// The server is shutting down and no longer takes writes.
    case shuttingDown
}
