import Testing

@testable import TallyCore

func decodeHeartbeats(_ text: String, shape: BodyDecoder<HeartbeatDecoder>.Shape = .batch, limits: InputLimits = .default)
    throws(InputError) -> [Heartbeat]
{
    let bytes = Array(text.utf8)
    let decoder = BodyDecoder(HeartbeatDecoder(limits: limits), limits: limits)
    let result: Result<[Heartbeat], InputError> = bytes.withUnsafeBytes { raw in
        do throws(InputError) { return .success(try decoder.decode(raw, shape: shape)) } catch { return .failure(error) }
    }
    return try result.get()
}

func fieldErrors(_ text: String, shape: BodyDecoder<HeartbeatDecoder>.Shape = .single) -> [ItemError] {
    do {
        _ = try decodeHeartbeats(text, shape: shape)
        return []
    } catch {
        if case .invalidItems(let items, _, _) = error { return items }
        return [ItemError(index: -1, error: FieldError(field: "?", code: .invalidValue, message: "\(error)"))]
    }
}

let validHeartbeat = #"{"userId":"user_987","movieId":"movie_214","duration":3097,"position":3000,"timestamp":"2021-10-26T13:27:01+0000"}"#

@Suite("Heartbeat decoding and validation")
struct HeartbeatDecoderTests {
    @Test func decodesTheBriefsExample() throws {
        let beats = try decodeHeartbeats(validHeartbeat, shape: .single)
        #expect(
            beats == [
                Heartbeat(
                    userId: "user_987", movieId: "movie_214", duration: 3097, position: 3000,
                    timestamp: Timestamp(secondsSinceEpoch: 1_635_254_821))
            ])
    }

    @Test(arguments: [
        (#"{"movieId":"m","duration":10,"position":1,"timestamp":"2021-10-26T13:27:01Z"}"#, "userId", FieldError.Code.missingField),
        (#"{"userId":"","movieId":"m","duration":10,"position":1,"timestamp":"2021-10-26T13:27:01Z"}"#, "userId", .invalidValue),
        (#"{"userId":5,"movieId":"m","duration":10,"position":1,"timestamp":"2021-10-26T13:27:01Z"}"#, "userId", .invalidType),
        (#"{"userId":"u","movieId":null,"duration":10,"position":1,"timestamp":"2021-10-26T13:27:01Z"}"#, "movieId", .invalidType),
        (#"{"userId":"u","movieId":"m","duration":0,"position":0,"timestamp":"2021-10-26T13:27:01Z"}"#, "duration", .invalidValue),
        (#"{"userId":"u","movieId":"m","duration":"10","position":1,"timestamp":"2021-10-26T13:27:01Z"}"#, "duration", .invalidType),
        (#"{"userId":"u","movieId":"m","duration":10.5,"position":1,"timestamp":"2021-10-26T13:27:01Z"}"#, "duration", .invalidType),
        (#"{"userId":"u","movieId":"m","duration":10,"position":-1,"timestamp":"2021-10-26T13:27:01Z"}"#, "position", .invalidValue),
        (#"{"userId":"u","movieId":"m","duration":10,"position":11,"timestamp":"2021-10-26T13:27:01Z"}"#, "position", .invalidValue),
        (#"{"userId":"u","movieId":"m","duration":10,"position":1,"timestamp":"yesterday"}"#, "timestamp", .invalidValue),
        (#"{"userId":"u","movieId":"m","duration":10,"position":1,"timestamp":1635254821}"#, "timestamp", .invalidType),
        (#"{"userId":"u","movieId":"m","duration":10,"position":1}"#, "timestamp", .missingField),
        (
            #"{"userId":"u","userId":"v","movieId":"m","duration":10,"position":1,"timestamp":"2021-10-26T13:27:01Z"}"#, "userId",
            .duplicateField
        ),
        (
            #"{"userId":"u","movieId":"m","duration":10000000000,"position":1,"timestamp":"2021-10-26T13:27:01Z"}"#, "duration",
            .invalidValue
        ),
        (#"{"userId":"u","movieId":"m","duration":1e10,"position":1,"timestamp":"2021-10-26T13:27:01Z"}"#, "duration", .invalidValue),
        (#"{"userId":"u","movieId":"m","duration":1e300,"position":1,"timestamp":"2021-10-26T13:27:01Z"}"#, "duration", .invalidValue),
        (#"{"userId":"u","movieId":"m","duration":10,"position":-1.0,"timestamp":"2021-10-26T13:27:01Z"}"#, "position", .invalidValue),
    ])
    func rejectsEachBadField(body: String, field: String, code: FieldError.Code) {
        let errors = fieldErrors(body)
        #expect(errors.count == 1)
        #expect(errors.first?.error.field == field)
        #expect(errors.first?.error.code == code)
        #expect(errors.first?.error.message.contains(field) == true)
    }

    /// JSON does not tell `12.0` from `12`, and JSON Schema's `integer` takes both: Python's `json` writes floats so.
    @Test func wholeNumbersWrittenWithAFractionOrExponentAreIntegers() throws {
        let body = #"{"userId":"u","movieId":"m","duration":3.6e3,"position":12.0,"timestamp":"2021-10-26T13:27:01Z"}"#
        let beats = try decodeHeartbeats(body, shape: .single)
        #expect(beats.map(\.duration) == [3600])
        #expect(beats.map(\.position) == [12])
    }

    @Test func limitsIdLengthInBytes() {
        let ok = String(repeating: "é", count: 128)  // 256 bytes
        let long = ok + "x"
        let body = { (id: String) in
            #"{"userId":"\#(id)","movieId":"m","duration":10,"position":1,"timestamp":"2021-10-26T13:27:01Z"}"#
        }
        #expect(fieldErrors(body(ok)).isEmpty)
        let errors = fieldErrors(body(long))
        #expect(errors.map(\.error.code) == [.tooLong])
        #expect(errors.first?.error.message.contains("256") == true)
    }

    @Test func reportsAllBadFieldsOfAnItem() {
        let errors = fieldErrors(#"{"userId":"","duration":-3,"position":"x","timestamp":"nope"}"#)
        #expect(Set(errors.map(\.error.field)) == ["userId", "movieId", "duration", "position", "timestamp"])
    }

    @Test func ignoresUnknownFields() throws {
        let body =
            #"{"extra":{"deep":[1,2]},"userId":"u","movieId":"m","duration":10,"position":1,"timestamp":"2021-10-26T13:27:01Z","x":1}"#
        #expect(try decodeHeartbeats(body, shape: .single).count == 1)
    }

    @Test func batchIsArrayOrNDJSON() throws {
        let array = "[\(validHeartbeat),\(validHeartbeat)]"
        #expect(try decodeHeartbeats(array).count == 2)
        let ndjson = "\(validHeartbeat)\n\(validHeartbeat)\r\n\(validHeartbeat)\n"
        #expect(try decodeHeartbeats(ndjson).count == 3)
        #expect(try decodeHeartbeats("[]").isEmpty)
    }

    @Test func batchIsAllOrNothingAndNamesEveryBadItem() {
        let bad = #"{"userId":"u","movieId":"m","duration":10,"position":20,"timestamp":"2021-10-26T13:27:01Z"}"#
        do {
            _ = try decodeHeartbeats("[\(validHeartbeat),\(bad),\(validHeartbeat),\(bad)]")
            Issue.record("expected a failure")
        } catch {
            guard case .invalidItems(let items, let invalid, let total) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(items.map(\.index) == [1, 3])
            #expect(items.allSatisfy { $0.error.field == "position" })
            #expect(invalid == 2)
            #expect(total == 4)
        }
    }

    @Test func batchSizeIsBounded() {
        let limits = InputLimits(maxBatchItems: 3)
        let four = Array(repeating: validHeartbeat, count: 4)
        #expect(throws: InputError.tooManyItems(limit: 3)) {
            try decodeHeartbeats("[\(four.joined(separator: ","))]", limits: limits)
        }
        #expect(throws: InputError.tooManyItems(limit: 3)) {
            try decodeHeartbeats(four.joined(separator: "\n"), limits: limits)
        }
        #expect((try? decodeHeartbeats("[\(four.dropLast().joined(separator: ","))]", limits: limits))?.count == 3)
    }

    @Test func shapeErrors() {
        #expect(throws: InputError.self) { try decodeHeartbeats("[\(validHeartbeat)]", shape: .single) }
        #expect(throws: InputError.self) { try decodeHeartbeats("", shape: .single) }
        #expect(throws: InputError.self) { try decodeHeartbeats("42", shape: .single) }
        #expect(throws: InputError.self) { try decodeHeartbeats("[1]") }
        #expect(throws: InputError.self) { try decodeHeartbeats("\(validHeartbeat) {", shape: .single) }
        #expect(throws: InputError.self) { try decodeHeartbeats("\(validHeartbeat)\(validHeartbeat)", shape: .single) }
    }

    @Test func malformedJSONIsASyntaxErrorWithItemIndex() {
        do {
            _ = try decodeHeartbeats("[\(validHeartbeat),{\"userId\":]")
            Issue.record("expected a failure")
        } catch {
            guard case .malformed(_, let item) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(item == 1)
        }
    }
}

@Suite("Watch event decoding")
struct WatchEventDecoderTests {
    func decode(_ text: String, shape: BodyDecoder<WatchEventDecoder>.Shape = .batch) throws(InputError) -> [WatchEvent] {
        let bytes = Array(text.utf8)
        let decoder = BodyDecoder(WatchEventDecoder())
        let result: Result<[WatchEvent], InputError> = bytes.withUnsafeBytes { raw in
            do throws(InputError) { return .success(try decoder.decode(raw, shape: shape)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    @Test func decodesTheBriefsExample() throws {
        #expect(
            try decode(#"{"user":"2fvkqoxolhs81","slug":"3er6ivu3j0e2f","at":407}"#)
                == [WatchEvent(user: "2fvkqoxolhs81", slug: "3er6ivu3j0e2f", at: 407)])
    }

    @Test(arguments: [
        (#"{"slug":"s","at":1}"#, "user"), (#"{"user":"u","slug":"","at":1}"#, "slug"),
        (#"{"user":"u","slug":"s","at":-1}"#, "at"), (#"{"user":"u","slug":"s","at":1.5}"#, "at"),
        (#"{"user":"u","slug":"s","at":"1"}"#, "at"), (#"{"user":"u","slug":"s"}"#, "at"),
    ])
    func rejects(_ body: String, field: String) {
        do {
            _ = try decode(body)
            Issue.record("expected a failure")
        } catch {
            guard case .invalidItems(let items, _, _) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(items.map(\.error.field) == [field])
        }
    }

    @Test func arrayIsABatch() throws {
        let one = #"{"user":"u","slug":"s","at":3}"#
        #expect(try decode("[\(one),\(one),\(one)]").count == 3)
    }
}
