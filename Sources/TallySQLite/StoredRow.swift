import Foundation
import GRDB
import TallyCore
import TallyPipeline

/// A row read back from SQLite without trusting it.
///
/// SQLite lets any value into any column (text in an INTEGER column, NULL where a file from another tool or an
/// older bug put one) and GRDB's non-optional subscripts trap on such a value: one bad row would stop the server at
/// every start. Every accessor here throws `CorruptRow` instead, so the loader can set the row aside and go on.
struct StoredRow {
    let row: Row

    /// Milliseconds since the epoch as Tally writes them (year 0 to 9999).
    static let timeRange: ClosedRange<Int64> = 0...253_402_300_799_999
    static let nonNegative: ClosedRange<Int64> = 0...Int64.max

    func integer(_ index: Int, _ column: String, in range: ClosedRange<Int64> = Int64.min...Int64.max) throws(CorruptRow) -> Int64 {
        guard let value = try optionalInteger(index, column, in: range) else {
            throw CorruptRow(column: column, reason: "is NULL")
        }
        return value
    }

    func optionalInteger(_ index: Int, _ column: String, in range: ClosedRange<Int64> = Int64.min...Int64.max) throws(CorruptRow) -> Int64?
    {
        let value: DatabaseValue = row[index]
        switch value.storage {
        case .null:
            return nil
        case .int64(let integer):
            guard range.contains(integer) else {
                throw CorruptRow(column: column, reason: "is \(integer), outside \(range.lowerBound)...\(range.upperBound)")
            }
            return integer
        case .double(let double):
            throw CorruptRow(column: column, reason: "is the real number \(double), not an integer")
        case .string:
            throw CorruptRow(column: column, reason: "is text, not an integer")
        case .blob:
            throw CorruptRow(column: column, reason: "is a blob, not an integer")
        }
    }

    /// An id column selected as `CAST(column AS BLOB)`: its bytes, in full. Read as text, SQLite's C string would
    /// end at a NUL and `victim\0x` would load as `victim`, another user's key.
    func id(_ index: Int, _ column: String) throws(CorruptRow) -> String {
        guard case .blob(let data) = (row[index] as DatabaseValue).storage else {
            throw CorruptRow(column: column, reason: "is NULL")
        }
        switch IdentifierRule.decode(data, field: column, maxBytes: Int.max) {
        case .success(let id): return id
        case .failure(let error): throw CorruptRow(column: column, reason: error.message)
        }
    }

    /// A text column (JSON, names), which must be valid UTF-8.
    func text(_ index: Int, _ column: String) throws(CorruptRow) -> String {
        switch (row[index] as DatabaseValue).storage {
        case .string(let text): return text
        case .blob(let data):
            guard let text = String(validating: data, as: UTF8.self) else {
                throw CorruptRow(column: column, reason: "is not valid UTF-8")
            }
            return text
        case .null: throw CorruptRow(column: column, reason: "is NULL")
        default: throw CorruptRow(column: column, reason: "is a number, not text")
        }
    }

    func optionalText(_ index: Int, _ column: String) throws(CorruptRow) -> String? {
        (row[index] as DatabaseValue).isNull ? nil : try text(index, column)
    }

    /// The row's values as readable text for the quarantine: numbers as they are, text and blobs as hex, so that
    /// nothing in the row (a NUL, invalid UTF-8) is lost or mangled on the way.
    var rendered: String { rendered(columns: 0..<row.count) }

    func rendered(columns: Range<Int>) -> String {
        columns.map { index -> String in
            let value: DatabaseValue = row[index]
            switch value.storage {
            case .null: return "NULL"
            case .int64(let integer): return String(integer)
            case .double(let double): return String(double)
            case .string(let text): return "x'" + Data(text.utf8).hex + "'"
            case .blob(let data): return "x'" + data.hex + "'"
            }
        }.joined(separator: ",")
    }
}

/// A stored value Tally cannot use, named by its column.
struct CorruptRow: Error, CustomStringConvertible {
    var column: String
    var reason: String
    var description: String { "\(column) \(reason)" }
}

extension Data {
    fileprivate var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(count * 2)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
