import Foundation
import Testing

@testable import TallyCore

private func scan(_ text: String, validate: Bool = false) -> (FrameScanner.Result, String?) {
    let bytes = Array(text.utf8)
    var scratch = FrameScanner.Scratch()
    return bytes.withUnsafeBytes { raw in
        let result = FrameScanner(validate: validate).scan(raw, scratch: &scratch)
        if case .frame(let user, _) = result {
            return (result, user.with(line: raw, unescaped: scratch.user) { String(decoding: $0, as: UTF8.self) })
        }
        return (result, nil)
    }
}

private func time(_ result: FrameScanner.Result) -> Int64? {
    if case .frame(_, let ms) = result { return ms }
    return nil
}

@Suite("Frame scanner")
struct FrameScannerTests {
    @Test func readsOnlyTheRootMembers() {
        let frame =
            #"{"a":{"uid":"nested","ts":1},"b":[{"ts":2,"uid":"x"}],"ts":1468244384,"c":"\"uid\":\"fake\"","uid":"ea32e6c6deea0da9884"}"#
        let (result, user) = scan(frame)
        #expect(user == "ea32e6c6deea0da9884")
        #expect(time(result) == 1_468_244_384_000)
    }

    @Test func timeAsNumberStringSecondsOrMilliseconds() {
        #expect(time(scan(#"{"uid":"u","ts":"1468244384"}"#).0) == 1_468_244_384_000)
        #expect(time(scan(#"{"uid":"u","ts":1468244384123}"#).0) == 1_468_244_384_123)
        #expect(scan(#"{"uid":"u","ts":"14x"}"#).0 == .invalidTime)
        #expect(scan(#"{"uid":"u","ts":1.5}"#).0 == .invalidTime)
        #expect(scan(#"{"uid":"u","ts":null}"#).0 == .invalidTime)
        #expect(scan(#"{"uid":"u"}"#).0 == .missingTime)
        #expect(scan(#"{"ts":1}"#).0 == .missingUser)
        #expect(scan(#"{"uid":"","ts":1}"#).0 == .invalidUser)
        #expect(scan(#"{"uid":7,"ts":1}"#).0 == .invalidUser)
    }

    @Test func escapedKeysAndValuesAreDecoded() {
        let (result, user) = scan(#"{"u\u0069d":"a\"b","\u0074s":5}"#)
        #expect(user == "a\"b")
        #expect(time(result) == 5000)
    }

    @Test func malformedFramesNameTheOffset() {
        if case .malformed(let offset, _) = scan(#"{"x":tru,"uid":"u","ts":1}"#, validate: true).0 {
            #expect(offset == 5)
        } else {
            Issue.record("expected malformed")
        }
        // Without validate, values before the fields are passed over by structure, not checked.
        #expect(time(scan(#"{"x":tru,"uid":"u","ts":1}"#).0) == 1000)
        if case .malformed(let offset, _) = scan(#"{"x":tru,"uid":"u""#).0 {
            #expect(offset == 5)
        } else {
            Issue.record("a frame the structure cannot read is read byte by byte, and its error named")
        }
        if case .malformed = scan("[1,2]").0 {} else { Issue.record("an array is not a frame") }
        if case .malformed = scan("").0 {} else { Issue.record("empty is not a frame") }
        // Without validate the scan stops at the two fields; with it, the whole frame must be valid.
        #expect(time(scan(#"{"uid":"u","ts":1,"x":]"#).0) == 1000)
        if case .malformed = scan(#"{"uid":"u","ts":1,"x":]"#, validate: true).0 {
        } else {
            Issue.record("validate must read the whole frame")
        }
    }

    /// Keys and strings that look like the fields, brackets inside strings, nested decoys, escapes across the
    /// 64-byte blocks the structural scan works in: only the root members count.
    @Test func theStructuralScanReadsOnlyRootMembers() {
        #expect(scan(#"{"a\"uid":1,"uid":"u","ts":1}"#).1 == "u")
        #expect(scan(#"{"x":"\"uid\":\"evil\",{[","uid":"u","ts":2}"#).1 == "u")
        #expect(time(scan(#"{"n":{"uid":"no","ts":9,"l":[{"ts":8}]},"uid":"u","ts":1}"#).0) == 1000)
        #expect(scan(#"{"n":{"uid":"no","ts":9},"uid":"u","ts":1}"#).1 == "u")
        #expect(scan(#"{ "uid" : "u" , "ts" : 3 }"#).1 == "u")
        for pad in 0..<140 {
            for tail in [#"\\"#, #"\""#, #"\\\""#, "{[", #"\u0022"#] {
                let text = #"{"p":""# + String(repeating: "a", count: pad) + tail + #"","q":[{"uid":"d"}],"uid":"u\#(pad)","ts":\#(pad)}"#
                let (result, user) = scan(text)
                #expect(user == "u\(pad)", "\(text)")
                #expect(time(result) == Int64(pad) * 1000, "\(text)")
            }
        }
    }

    /// The structural scan against the byte-by-byte reader on generated frames and random mutations of them: on a
    /// valid frame both give the same answer; on any other, the structural scan answers or passes the frame on, and
    /// never reads out of bounds. Most valid frames must not need the slow path.
    @Test func theStructuralScanAgreesWithTheReader() {
        var rng = SplitMix64(seed: 23)
        let scanner = FrameScanner()
        var valid = 0
        var structural = 0
        for original in FrameMutations.frames(count: 300, seed: 9) {
            for round in 0..<25 {
                var line = original
                if round > 0 { FrameMutations.mutate(&line, &rng) }
                line.withUnsafeBytes { raw in
                    var scratch: [UInt8] = []
                    let fast = scanner.scanStructurally(raw, userScratch: &scratch)
                    let fastUser = Self.user(fast, raw, scratch)
                    var slowScratch: [UInt8] = []
                    let checked = scanner.read(raw, userScratch: &slowScratch, validatingRest: true)
                    if case .malformed = checked { return }
                    valid += 1
                    guard let fast else { return }
                    structural += 1
                    let slow = scanner.read(raw, userScratch: &slowScratch, validatingRest: false)
                    #expect(Self.outcome(fast) == Self.outcome(slow), "\(String(decoding: line, as: UTF8.self))")
                    #expect(fastUser == Self.user(slow, raw, slowScratch), "\(String(decoding: line, as: UTF8.self))")
                }
            }
        }
        #expect(valid > 1_000)
        #expect(Double(structural) > Double(valid) * 0.9)
    }

    private static func user(_ result: FrameScanner.Result?, _ line: UnsafeRawBufferPointer, _ scratch: [UInt8]) -> [UInt8]? {
        guard case .frame(let user, _) = result else { return nil }
        return user.with(line: line, unescaped: scratch) { Array($0) }
    }

    private static func outcome(_ result: FrameScanner.Result?) -> String {
        guard let result else { return "nil" }
        if case .frame(_, let ms) = result { return "\(ms)" }
        return "\(result)"
    }

    /// Differential check against Foundation's JSON parser on generated frames and random mutations of them:
    /// with `validate`, a frame is malformed exactly when Foundation rejects it, and the fields agree otherwise.
    @Test func agreesWithFoundationOnMutatedFrames() throws {
        var generator = FrameGenerator(.init(count: 300, rate: 3, users: 50, seed: 11))
        var rng = SplitMix64(seed: 99)
        var lines: [[UInt8]] = []
        var bytes: [UInt8] = []
        while generator.next(into: &bytes) {}
        for line in bytes.split(separator: 0x0A) { lines.append(Array(line)) }
        var checked = 0
        for original in lines {
            for _ in 0..<20 {
                var line = original
                switch rng.next() % 4 {
                case 0: line.remove(at: Int(rng.next() % UInt64(line.count)))
                case 1:
                    line.insert(
                        [0x22, 0x5C, 0x7B, 0x7D, 0x5B, 0x5D, 0x2C, 0x3A, 0x20, 0x31][Int(rng.next() % 10)],
                        at: Int(rng.next() % UInt64(line.count)))
                case 2: line = Array(line.prefix(Int(rng.next() % UInt64(line.count))))
                default: break
                }
                let text = String(decoding: line, as: UTF8.self)
                guard Array(text.utf8) == line else { continue }  // skip invalid UTF-8 (Foundation's handling differs)
                let foundation = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any]
                let (result, user) = scan(text, validate: true)
                if case .malformed = result {
                    // Foundation's parser accepts trailing commas, which RFC 8259 does not: the scanner is right.
                    let trailingComma = text.contains(",]") || text.contains(",}")
                    #expect(foundation == nil || trailingComma, "scanner rejected (\(result)) what Foundation accepts: \(text)")
                } else {
                    #expect(foundation != nil, "scanner accepted what Foundation rejects: \(text.prefix(200))")
                    if let foundation, case .frame = result {
                        #expect(foundation["uid"] as? String == user)
                    }
                }
                checked += 1
            }
        }
        #expect(checked > 5000)
    }
}

/// The one-loop validating skip against the recursive one it replaces on the hot path: on generated frames and
/// random mutations of them, both accept the same inputs and stop at the same offset.
@Suite("Validating skip")
struct ValidatingSkipTests {
    @Test func agreesWithSkipValueOnMutatedFrames() {
        var rng = SplitMix64(seed: 17)
        var accepted = 0
        var rejected = 0
        let nested = Array(#"{"a":[1,-2.5e3,{"b":[true,false,null,"x\u00e9\n"]},[]],"c":{}} "#.utf8)
        let deep = Array(String(repeating: "[", count: 64) + String(repeating: "]", count: 64)).map { UInt8($0.asciiValue!) }
        for original in FrameMutations.frames(count: 200, seed: 5) + [nested, deep] {
            for round in 0..<30 {
                var line = original
                if round > 0 { FrameMutations.mutate(&line, &rng) }
                line.withUnsafeBytes { raw in
                    var old = JSONReader(raw)
                    var new = JSONReader(raw)
                    let oldResult = Result { try old.skipValue() }
                    let newResult = Result { () throws(JSONSyntaxError) in try new.skipValueValidating() }
                    switch (oldResult, newResult) {
                    case (.success, .success):
                        #expect(old.offset == new.offset)
                        accepted += 1
                    case (.failure, .failure):
                        rejected += 1
                    default:
                        Issue.record(
                            "skipValue \(oldResult) vs skipValueValidating \(newResult) on \(String(decoding: line, as: UTF8.self))")
                    }
                }
            }
        }
        #expect(accepted > 200 && rejected > 2_000)
    }
}
