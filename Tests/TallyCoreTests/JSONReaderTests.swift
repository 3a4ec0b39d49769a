import Testing

@testable import TallyCore

func withReader<T>(_ text: String, _ body: (inout JSONReader) throws -> T) rethrows -> T {
    let bytes = Array(text.utf8)
    return try bytes.withUnsafeBytes { raw in
        var reader = JSONReader(raw)
        return try body(&reader)
    }
}

func readOne(_ text: String) throws -> JSONValue {
    try withReader(text) { reader in
        let value = try reader.readValue()
        guard reader.peek() == nil else { throw reader.error("trailing data") }
        return value
    }
}

@Suite("JSON reader")
struct JSONReaderTests {
    @Test func decodesEveryEscape() throws {
        #expect(try readOne(#""a\"b\\c\/d\be\ff\ng\rh\ti""#) == .string("a\"b\\c/d\u{8}e\u{c}f\ng\rh\ti"))
        #expect(try readOne(#""\u0041\u00e9\u4e2d""#) == .string("Aé中"))
        #expect(try readOne(#""\ud83d\ude00""#) == .string("😀"))
        #expect(try readOne("\"Свобода, слава и любовь\"") == .string("Свобода, слава и любовь"))
    }

    @Test(arguments: [
        #""\ud83d""#, #""\ude00""#, #""\x""#, #""\u12""#, "\"a\nb\"", "\"abc", #""\ud83d\u0041""#,
        // Found by the fuzzer: a backslash as the very last byte used to loop forever.
        #""abc\"#, #""a\"b\"#,
    ])
    func rejectsBadStrings(_ text: String) {
        #expect(throws: JSONSyntaxError.self) { try readOne(text) }
    }

    @Test func rejectsInvalidUTF8() {
        let bytes: [UInt8] = [0x22, 0xC3, 0x28, 0x22]
        bytes.withUnsafeBytes { raw in
            var reader = JSONReader(raw)
            #expect(throws: JSONSyntaxError.self) { try reader.readString() }
        }
    }

    @Test func numbers() throws {
        #expect(try readOne("0") == .integer(0))
        #expect(try readOne("-12") == .integer(-12))
        #expect(try readOne("9223372036854775807") == .integer(.max))
        #expect(try readOne("-9223372036854775808") == .integer(.min))
        #expect(try readOne("9223372036854775808") == .number(9_223_372_036_854_775_808))
        #expect(try readOne("1.5") == .number(1.5))
        #expect(try readOne("1e3") == .number(1000))
        #expect(try readOne("-0.25E-2") == .number(-0.0025))
    }

    @Test(arguments: ["01", "-", "1.", ".5", "1e", "+1", "0x10", "NaN", "Infinity", "1.e3"])
    func rejectsBadNumbers(_ text: String) {
        #expect(throws: JSONSyntaxError.self) { try readOne(text) }
    }

    @Test func literalsAndContainers() throws {
        #expect(try readOne("true") == .bool(true))
        #expect(try readOne(" false ") == .bool(false))
        #expect(try readOne("null") == .null)
        #expect(try readOne(#"{"a":[1,{"b":null}],"c":"}"}"#) == .object)
        #expect(try readOne("[]") == .array)
    }

    @Test(arguments: ["[1,]", #"{"a":1,}"#, "{a:1}", "[1 2]", #"{"a" 1}"#, "tru", "nul", "[", "{", "// x\n1", "'a'"])
    func rejectsMalformedContainers(_ text: String) {
        #expect(throws: JSONSyntaxError.self) { try readOne(text) }
    }

    @Test func limitsNesting() throws {
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: JSONSyntaxError.self) { try readOne(deep) }
        let fine = String(repeating: "[", count: 50) + String(repeating: "]", count: 50)
        #expect(try readOne(fine) == .array)
    }

    @Test func walksObjectMembersInOrder() throws {
        let keys = try withReader(#"{"x":1,"nested":{"x":2},"y":"s"}"#) { reader -> [String] in
            var keys: [String] = []
            try reader.readObject { key, _ in keys.append(key) }
            return keys
        }
        #expect(keys == ["x", "nested", "y"])
    }

    @Test func reportsOffsetOfError() {
        do {
            _ = try readOne(#"{"a":tru}"#)
            Issue.record("expected an error")
        } catch let error as JSONSyntaxError {
            #expect(error.offset == 5)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}

@Suite("JSON writer")
struct JSONWriterTests {
    @Test func escapesAndRoundTrips() throws {
        let nasty = "q\"b\\s/\n\r\t\u{1}é😀"
        var writer = JSONWriter()
        writer.beginObject()
        writer.member("s", nasty)
        writer.member("n", Int64(-5))
        writer.key("a")
        writer.beginArray()
        writer.value(true)
        writer.null()
        writer.value(1.5)
        writer.endArray()
        writer.key("w")
        writer.seconds(fromMilliseconds: 1_500)
        writer.key("z")
        writer.seconds(fromMilliseconds: 7_000)
        writer.endObject()
        #expect(writer.string == #"{"s":"q\"b\\s/\n\r\t\u0001é😀","n":-5,"a":[true,null,1.5],"w":1.500,"z":7}"#)
        let decoded = try withReader(writer.string) { reader -> String? in
            var found: String?
            try reader.readObject { key, reader in
                if key == "s", case .string(let s) = try reader.readValue() { found = s }
            }
            return found
        }
        #expect(decoded == nasty)
    }
}
