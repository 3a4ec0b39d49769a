/// Reads whole request bodies of events: one object, a JSON array, or NDJSON (objects separated by newlines).
///
/// Batches are all-or-nothing: if any item is invalid the caller gets `InputError.invalidItems` listing them and no
/// events at all, so nothing of a bad batch is ever stored.
public struct BodyDecoder<Decoder: EventDecoder>: Sendable {
    /// Which bodies an endpoint takes.
    public enum Shape: Sendable {
        /// Exactly one object.
        case single
        /// A JSON array, NDJSON, or a single object (a batch of one).
        case batch
    }

    /// Decodes each item.
    public var decoder: Decoder
    /// Batch size and id length bounds.
    public var limits: InputLimits
    /// At most this many item errors are listed in a response; the count of all of them is always given.
    public static var maxReportedErrors: Int { 100 }

    /// A body decoder for `decoder`'s events within `limits`.
    public init(_ decoder: Decoder, limits: InputLimits = .default) {
        self.decoder = decoder
        self.limits = limits
    }

    /// Every event of `body`, or an error naming each bad item (and then no event at all).
    public func decode(_ body: UnsafeRawBufferPointer, shape: Shape) throws(InputError) -> [Decoder.Event] {
        var reader = JSONReader(body)
        var events: [Decoder.Event] = []
        var problems: [ItemError] = []
        var invalidCount = 0
        var index = 0
        func take(_ reader: inout JSONReader, index: Int?) throws {
            switch try decoder.decode(&reader) {
            case .success(let event):
                events.append(event)
            case .failure(let failure):
                invalidCount += 1
                for error in failure.errors where problems.count < Self.maxReportedErrors {
                    problems.append(ItemError(index: index, error: error))
                }
            }
        }
        do {
            switch (reader.peek(), shape) {
            case (nil, _):
                throw InputError.wrongShape("request body is empty")
            case (0x5B, .single):
                throw InputError.wrongShape("expected one JSON object; send arrays to the batch endpoint")
            case (0x5B, .batch):
                try reader.readArray { i, reader in
                    guard i < limits.maxBatchItems else { throw InputError.tooManyItems(limit: limits.maxBatchItems) }
                    index = i
                    try take(&reader, index: i)
                }
                index += 1
            case (_, .single):
                try take(&reader, index: nil)
            case (_, .batch):
                while reader.peek() != nil {
                    guard index < limits.maxBatchItems else { throw InputError.tooManyItems(limit: limits.maxBatchItems) }
                    try take(&reader, index: index)
                    index += 1
                }
            }
            guard reader.peek() == nil else {
                throw JSONSyntaxError(offset: reader.offset, reason: "unexpected data after the JSON value")
            }
        } catch let error as InputError {
            throw error
        } catch let error as JSONSyntaxError {
            throw InputError.malformed(error, item: shape == .batch ? index : nil)
        } catch let error as InputShapeError {
            throw InputError.wrongShape(shape == .batch ? "item \(index): \(error.message)" : error.message)
        } catch {
            throw InputError.wrongShape("\(error)")
        }
        guard invalidCount == 0 else {
            throw InputError.invalidItems(problems, invalidCount: invalidCount, total: shape == .batch ? index : 1)
        }
        return events
    }
}
