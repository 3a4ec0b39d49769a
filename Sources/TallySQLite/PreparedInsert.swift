import GRDB
import GRDBSQLite

/// Binds and runs a cached statement through SQLite's C API.
///
/// GRDB's `StatementArguments` box every value in an existential; on the ingest path (hundreds of thousands of rows
/// per second) that boxing was the largest cost in a profile, so rows are bound directly instead.
struct PreparedInsert {
    let statement: Statement
    private var handle: OpaquePointer { statement.sqliteStatement }
    private var parameter: Int32 = 0

    init(_ statement: Statement) {
        self.statement = statement
    }

    mutating func bind(_ value: Int64) {
        parameter += 1
        sqlite3_bind_int64(handle, parameter, value)
    }

    mutating func bind(_ value: Int64?) {
        guard let value else {
            parameter += 1
            sqlite3_bind_null(handle, parameter)
            return
        }
        bind(value)
    }

    mutating func bind(_ value: String) {
        parameter += 1
        var text = value
        let index = parameter
        text.withUTF8 { bytes in
            _ = bytes.withMemoryRebound(to: CChar.self) { chars in
                sqlite3_bind_text(handle, index, chars.baseAddress, Int32(bytes.count), Self.transient)
            }
        }
    }

    /// Binds UTF-8 bytes as text without making a `String` of them first.
    mutating func bind(text bytes: [UInt8]) {
        guard !bytes.isEmpty else { return bind("") }  // an empty array has no address, and a null pointer binds NULL
        parameter += 1
        let index = parameter
        bytes.withUnsafeBufferPointer { buffer in
            _ = buffer.withMemoryRebound(to: CChar.self) { chars in
                sqlite3_bind_text(handle, index, chars.baseAddress, Int32(buffer.count), Self.transient)
            }
        }
    }

    /// Executes the bound row and resets for the next one.
    mutating func step() throws {
        defer {
            sqlite3_reset(handle)
            parameter = 0
        }
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(sqlite3_db_handle(handle))))
        }
    }

    /// SQLite copies the bound bytes (`SQLITE_TRANSIENT`), since Swift strings may move.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}
