/// The results a stream writes, each with the key it belongs to.
///
/// A file or stdout takes `text` as it is. A Kafka topic takes one message per result, keyed so that the results
/// that must stay in order (a window's revisions, one user's arrays) share a key and so a partition. The stream knows
/// the key when it writes the result; keeping it here means no one has to find it again in the JSON text.
public struct ResultBuffer: Sendable {
    /// Every result's text, each ending in a newline (a `--format pretty` array spans several lines).
    public private(set) var text: [UInt8] = []
    private var keys: [UInt8] = []
    /// Per result, where its text and its key end.
    private var ends: [(text: Int, key: Int)] = []

    /// An empty buffer.
    public init() {}

    /// True when no result was written since the last `removeAll`.
    public var isEmpty: Bool { ends.isEmpty }

    /// The number of results.
    public var count: Int { ends.count }

    /// Appends one result: `key` writes its key, `write` its text (ending in a newline).
    public mutating func append(key: (inout [UInt8]) -> Void, text write: (inout [UInt8]) -> Void) {
        key(&keys)
        write(&text)
        ends.append((text.count, keys.count))
    }

    /// Makes room for `bytes` bytes of text, so that a run writing many results does not regrow the buffer.
    public mutating func reserveCapacity(_ bytes: Int) { text.reserveCapacity(bytes) }

    /// Empties the buffer, keeping its capacity for the next results.
    public mutating func removeAll() {
        text.removeAll(keepingCapacity: true)
        keys.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
    }
}

extension ResultBuffer: Sequence {
    /// One result: its key, and its text without the final newline (a Kafka message is one whole result).
    public typealias Element = (key: ArraySlice<UInt8>, text: ArraySlice<UInt8>)

    /// Walks the results in the order they were written.
    public struct Iterator: IteratorProtocol {
        let buffer: ResultBuffer
        var index = 0
        var textStart = 0
        var keyStart = 0

        public mutating func next() -> Element? {
            guard index < buffer.ends.count else { return nil }
            let end = buffer.ends[index]
            let textEnd = end.text > textStart && buffer.text[end.text - 1] == 0x0A ? end.text - 1 : end.text
            defer {
                index += 1
                textStart = end.text
                keyStart = end.key
            }
            return (buffer.keys[keyStart..<end.key], buffer.text[textStart..<textEnd])
        }
    }

    public func makeIterator() -> Iterator { Iterator(buffer: self) }
    public var underestimatedCount: Int { ends.count }
}

extension CountResult {
    /// `window/start`, e.g. `minute/2016-07-11T13:39:00Z`: a window's results and revisions share it.
    public func writeKey(into bytes: inout [UInt8]) {
        bytes.append(contentsOf: window.unit.description.utf8)
        bytes.append(0x2F)
        ISO8601.format(window.start, style: .zulu, into: &bytes)
    }
}
