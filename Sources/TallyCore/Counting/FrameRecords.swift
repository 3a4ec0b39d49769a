/// Tally frame records (`TFR1`): a binary input format for frames that a producer can adopt, with the two fields a
/// counter needs in fixed places and the rest of the frame carried as it is.
///
/// A file or stream opens with the magic `TFR1`, then holds records, each
/// `u32 length` (the bytes after this field) · `i64 time` (milliseconds since the epoch) · `u16 user length` ·
/// the user id's bytes · the payload (the frame's JSON, or nothing), all integers little-endian. A Kafka message holds
/// one record without the length. Reading a record is two loads and a bounds check: no byte of the payload is looked
/// at, which is the point (docs/performance.md weighs it against NDJSON).
public enum FrameRecords {
    /// Bytes before the user id in a record (time and user length), after the length field.
    public static let fixedBytes = 10
    /// The longest record accepted, so that a corrupt length cannot make a reader buffer without bound.
    public static let maxRecordBytes = 1 << 20
    /// The latest time a record may carry: the largest an NDJSON frame's `ts` can give (18 digits of milliseconds),
    /// so both formats accept the same times, and window bounds computed from any accepted time fit in 64 bits.
    public static let maxTimeMs: Int64 = 999_999_999_999_999_999

    /// Appends one record (with its length) to `bytes`. The user id must be 1 to 65,535 bytes. Inlinable so that a
    /// producer's call is specialized for its collections: writing a record is on its hot path.
    @inlinable
    public static func append(user: some Collection<UInt8>, timeMs: Int64, payload: some Collection<UInt8>, to bytes: inout [UInt8]) {
        precondition(!user.isEmpty && user.count <= Int(UInt16.max), "a record's user id is 1 to 65,535 bytes")
        appendLittleEndian(UInt32(fixedBytes + user.count + payload.count), to: &bytes)
        appendBody(user: user, timeMs: timeMs, payload: payload, to: &bytes)
    }

    /// Appends one record without its length: the value of a Kafka message.
    @inlinable
    public static func appendBody(user: some Collection<UInt8>, timeMs: Int64, payload: some Collection<UInt8>, to bytes: inout [UInt8]) {
        appendLittleEndian(UInt64(bitPattern: timeMs), to: &bytes)
        appendLittleEndian(UInt16(user.count), to: &bytes)
        bytes.append(contentsOf: user)
        bytes.append(contentsOf: payload)
    }

    /// One record as read, valid only during the callback that hands it out.
    public struct Record {
        /// The user id's bytes, as the producer wrote them (no escapes).
        public var user: UnsafeRawBufferPointer
        /// The event time in milliseconds since the epoch.
        public var timeMs: Int64
        /// The rest of the frame, opaque: its JSON, or nothing.
        public var payload: UnsafeRawBufferPointer
        /// 1-based position in the stream.
        public var number: Int
    }

    /// Why bytes are not a record.
    public enum Problem: Error, Hashable, Sendable, CustomStringConvertible {
        /// The length field is below the fixed part or above `maxRecordBytes`.
        case badLength(Int)
        /// The user id is empty or longer than the record.
        case badUser(Int)
        /// The input ended inside a record.
        case truncated(missing: Int)

        public var description: String {
            switch self {
            case .badLength(let length):
                "record length \(length) is not within \(fixedBytes)...\(maxRecordBytes): not Tally frame records, or damaged"
            case .badUser(let length): "user id length \(length) does not fit the record"
            case .truncated(let missing): "the input ends inside a record (\(missing) bytes missing)"
            }
        }
    }

    /// Reads one record's body (after its length): a Kafka message, or the bytes a `RecordSplitter` framed.
    public static func read(body: UnsafeRawBufferPointer, number: Int) throws(Problem) -> Record {
        guard body.count >= fixedBytes, let base = body.baseAddress else { throw .badLength(body.count) }
        let time = Int64(bitPattern: UInt64(littleEndian: base.loadUnaligned(as: UInt64.self)))
        let userLength = Int(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: 8, as: UInt16.self)))
        guard userLength > 0, fixedBytes + userLength <= body.count else { throw .badUser(userLength) }
        return Record(
            user: UnsafeRawBufferPointer(rebasing: body[fixedBytes..<(fixedBytes + userLength)]), timeMs: time,
            payload: UnsafeRawBufferPointer(rebasing: body[(fixedBytes + userLength)...]), number: number)
    }

    @usableFromInline @inline(__always)
    static func appendLittleEndian<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
}
