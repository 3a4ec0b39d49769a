import Testing

@testable import TallyCore

/// The reference: `JSONReader`'s validating skip over the whole input, then nothing but whitespace.
private func readerAccepts(_ bytes: [UInt8]) -> Bool {
    bytes.withUnsafeBytes { raw in
        var reader = JSONReader(raw)
        guard (try? reader.skipValueValidating()) != nil else { return false }
        return reader.peek() == nil
    }
}

private func validatorAccepts(_ bytes: [UInt8], _ validator: inout JSONValidator) -> Bool {
    bytes.withUnsafeBytes { validator.accepts($0) }
}

/// The byte-class kernels this machine runs: Swift's SSE2 code always, the AVX2 and AVX-512 kernels when the CPU has
/// them. Every differential test runs on each, so all are held to the reader's answers.
private let kernels = ByteClassKernel.available

private func validator(_ kernel: ByteClassKernel) -> JSONValidator {
    var validator = JSONValidator()
    validator.kernel = kernel
    return validator
}

/// The answer of every kernel, which must be the same.
private func accepts(_ text: String) -> Bool {
    let answers = Set(
        kernels.map { kernel in
            var validator = validator(kernel)
            return validatorAccepts(Array(text.utf8), &validator)
        })
    #expect(answers.count == 1, "the kernels disagree on \(text)")
    return answers.first!
}

/// The vectorized validator against the reader's validating skip: both must give the same answer on every input.
@Suite("JSON validator")
struct JSONValidatorTests {
    @Test func acceptsValidDocuments() {
        for text in [
            "0", "-0", "1.5e-3", "true", "false", "null", #""""#, #""a\"b\\\/\b\f\n\r\t\u00e9\uD83D""#, "[]", "{}",
            #" {"a" : [1, -2.5E+3, {"b": [true, false, null, "x"]}, []], "c" : {}} "#, "\t\r\n[1]\n",
            String(repeating: "[", count: 62) + String(repeating: "]", count: 62),
        ] {
            #expect(accepts(text), "\(text)")
            #expect(readerAccepts(Array(text.utf8)), "reference disagrees on \(text)")
        }
    }

    @Test func rejectsInvalidDocuments() {
        for text in [
            "", " ", "tru", "truex", "nul", "01", "-", "1.", ".5", "1e", "+1", "1 2", "[1,]", "{,}", #"{"a"}"#,
            #"{"a":}"#, #"{"a":1,}"#, #"{"a" 1}"#, #"{"a":1:2}"#, #"{"a":"b":"c"}"#, #"["a":1]"#, "[}", "{]", "]",
            "[[]", "[]]", #""abc"#, #""\x""#, #""\u12G4""#, #""\u12""#, "\"a\u{01}b\"", #"\"a""#, "[1]x", #"{"a":1}}"#,
            "{1:2}", "[,1]", "[1 2]", #"{"a":1 "b":2}"#, "@", "[\u{7F}]",
            String(repeating: "[", count: 65) + String(repeating: "]", count: 65),
        ] {
            #expect(!accepts(text), "\(text)")
            #expect(!readerAccepts(Array(text.utf8)), "reference disagrees on \(text)")
        }
    }

    /// Found by the fuzz target (Fuzz/regressions/top-level-close-then-rebalanced-stack): a closing bracket at the
    /// top level, with the bracket walk's check parsed as `(atTop | isArray) ^ inArray`, passed, and later brackets
    /// brought the walk's stack back to its top-level value, so the whole document was accepted. Each needs five
    /// bytes or more, beyond the exhaustive test's four.
    @Test func rejectsAClosingBracketAtTheTopLevelWhateverFollows() throws {
        // After the stray `]` the walk's stack was empty, which reads as "in an object", so the member that follows
        // passes the grammar and the `[` after it restores the top-level stack.
        for text in [#"1],"a":[2"#, #"{}],"a":[1"#, #"true],"b":[[]"#, #""x"],"a":[{}"#] {
            #expect(!accepts(text), "\(text)")
            #expect(!readerAccepts(Array(text.utf8)), "reference disagrees on \(text)")
        }
        // The fuzzer's input as it found it (223 bytes, one not UTF-8), base64.
        let regression = try Base64.decode(
            Array(
                [
                    "NTU1NTUuNTQxNThdLCJub3N0cnVkIjowLjk4NTk4Miwi7XV0Ijp7InRzIjoyNjgsInV0IjpbXSwidSI6NTMsInNpdCI6MC4zNjAz",
                    "MTAsImRvbG9yZSI6eyJ1aWQiOmZhbHNlLCJkb2xvcm47IjpbXSwiZXQqIjpmYWxzZSwiVXQiOnsicmUiOnRydWUsImV4ZXJjaXR0",
                    "aW9uIjpbXSwiYSdEIjoibWVtb3JcdTAwNDFcdTAwZTkiLCJVdCI6WzU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTFlNw==",
                ].joined().utf8))
        for kernel in kernels {
            var validator = validator(kernel)
            #expect(!validatorAccepts(regression, &validator), "\(kernel)")
        }
        #expect(!readerAccepts(regression))
    }

    /// Nesting near `JSONReader.maximumDepth` is left to the reader, which names the limit; `--validate` scans
    /// still accept a frame whose innermost value is 63 levels deep and reject one at 64.
    @Test func deepNestingIsLeftToTheReader() {
        #expect(!accepts(String(repeating: "[", count: 63) + String(repeating: "]", count: 63)))
        let scanner = FrameScanner(validate: true)
        var scratch = FrameScanner.Scratch()
        for (depth, valid) in [(63, true), (64, false)] {
            let nested = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            let frame = #"{"uid":"u","ts":1,"x":"# + nested + "}"
            let result = Array(frame.utf8).withUnsafeBytes { scanner.scan($0, scratch: &scratch) }
            if case .malformed(_, let reason) = result {
                #expect(!valid && reason.contains("nesting deeper"), "\(depth): \(reason)")
            } else {
                #expect(valid, "\(depth) levels inside the frame must be rejected")
            }
        }
    }

    /// Every input of up to four bytes over the characters that matter.
    @Test(arguments: kernels) func agreesWithTheReaderOnEveryShortInput(kernel: ByteClassKernel) {
        let alphabet = Array(#"{}[]:,"\ 1-.e0tu"#.utf8)
        var validator = validator(kernel)
        var input: [UInt8] = []
        var checked = 0
        func visit(_ length: Int) {
            if length == 0 {
                let text = String(decoding: input, as: UTF8.self)
                #expect(validatorAccepts(input, &validator) == readerAccepts(input), "\(text)")
                checked += 1
                return
            }
            for byte in alphabet {
                input.append(byte)
                visit(length - 1)
                input.removeLast()
            }
        }
        for length in 0...4 { visit(length) }
        #expect(checked == 1 + 16 + 256 + 4096 + 65536)
    }

    /// Strings, escapes, `\u` digits and numbers across the 64-byte block boundary, at every offset.
    @Test(arguments: kernels) func agreesAcrossBlockBoundaries(kernel: ByteClassKernel) {
        let pieces = [
            #""\\\\\\\"x""#, #""\\\\\\\\""#, #""\\\\\\\\\""#, #""\u00e9\u12"#, #""\u00e9""#, "12345.678e9", "true",
            #"{"a":"b\"c"}"#, #"["\\", "\"", "\\\""]"#, "\"a\u{1F}\"", "-0.5",
        ]
        var validator = validator(kernel)
        for piece in pieces {
            for shift in 0..<70 {
                for wrap in [false, true] {
                    let text = String(repeating: " ", count: shift) + (wrap ? "[\(piece)]" : piece)
                    let bytes = Array(text.utf8)
                    #expect(validatorAccepts(bytes, &validator) == readerAccepts(bytes), "shift \(shift): \(text)")
                }
            }
        }
    }

    /// Generated frames and one or two random edits of each (`FrameMutations`), one validator reused throughout as
    /// `tally count` does.
    @Test(arguments: kernels) func agreesWithTheReaderOnMutatedFrames(kernel: ByteClassKernel) {
        var rng = SplitMix64(seed: 41)
        var validator = validator(kernel)
        var accepted = 0
        var rejected = 0
        for original in FrameMutations.frames(count: 300, seed: 23) {
            for round in 0..<40 {
                var line = original
                for _ in 0..<(round == 0 ? 0 : 1 + Int(rng.next() % 2)) { FrameMutations.mutate(&line, &rng) }
                let expected = readerAccepts(line)
                #expect(validatorAccepts(line, &validator) == expected, "\(String(decoding: line, as: UTF8.self))")
                if expected { accepted += 1 } else { rejected += 1 }
            }
        }
        // Both answers are well represented, so the comparison means something both ways.
        #expect(accepted > 1000 && rejected > 1000, "accepted \(accepted), rejected \(rejected)")
    }
}

/// `tally count --validate` checks frames with the vectorized validator and falls back to the validating skip only
/// for frames it rejects: the results must be exactly those of the validating skip alone.
@Suite("Validated frame scan")
struct ValidatedFrameScanTests {
    @Test(arguments: kernels) func givesTheValidatingSkipsResultsOnMutatedFrames(kernel: ByteClassKernel) {
        var rng = SplitMix64(seed: 7)
        let scanner = FrameScanner(validate: true)
        var scratch = FrameScanner.Scratch()
        scratch.validator.kernel = kernel
        var slowScratch: [UInt8] = []
        var frames = 0
        var malformed = 0
        for original in FrameMutations.frames(count: 200, seed: 31) {
            for round in 0..<30 {
                var line = original
                if round > 0 { FrameMutations.mutate(&line, &rng) }
                line.withUnsafeBytes { raw in
                    let result = scanner.scan(raw, scratch: &scratch)
                    let reference = scanner.scan(raw, userScratch: &slowScratch, validatingRest: true)
                    #expect(result == reference, "\(String(decoding: line, as: UTF8.self))")
                    if case .frame(let user, _) = result, case .frame(let expected, _) = reference {
                        let found = user.with(line: raw, unescaped: scratch.user) { Array($0) }
                        let reference =
                            expected.inScratch
                            ? Array(slowScratch[expected.range]) : Array(raw[expected.range])
                        #expect(found == reference)
                    }
                    if case .frame = result { frames += 1 }
                    if case .malformed = result { malformed += 1 }
                }
            }
        }
        #expect(frames > 1000 && malformed > 1000, "frames \(frames), malformed \(malformed)")
    }
}
