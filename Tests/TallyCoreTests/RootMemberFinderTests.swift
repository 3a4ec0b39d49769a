import Testing

@testable import TallyCore

/// The structural search for root members, on every byte-class kernel this CPU runs (Swift's SSE2 code and the C
/// kernels), against `JSONReader` walking the same frames member by member.
@Suite("Root member finder")
struct RootMemberFinderTests {
    /// Every root member the finder reports, in order, until it gives up or the frame ends.
    static func members(_ line: [UInt8], kernel: RootMemberFinder.Kernel?) -> [String] {
        line.withUnsafeBytes { raw in
            var found: [String] = []
            _ = RootMemberFinder.visit(raw, kernel: kernel) { member in
                found.append(String(decoding: member.key, as: UTF8.self) + "@\(member.colon)")
                return false
            }
            return found
        }
    }

    /// The root members of a valid frame, read member by member (nil when a key has escapes: the finder stops there).
    static func readerMembers(_ line: [UInt8]) -> [String]? {
        line.withUnsafeBytes { raw in
            var reader = JSONReader(raw)
            var found: [String] = []
            guard reader.consume(0x7B) else { return nil }
            if reader.consume(0x7D) { return found }
            while true {
                let keyStart = reader.offset
                guard let key = reader.readUnescapedStringBytes() else {
                    // A key with escapes ends the comparison (the finder stops there); an invalid one, the frame's.
                    reader.offset = keyStart
                    return (try? reader.readString()) != nil ? found : nil
                }
                reader.skipWhitespace()
                let colon = reader.offset
                guard reader.consume(0x3A), (try? reader.skipValue(depth: 1)) != nil else { return nil }
                found.append(String(decoding: key, as: UTF8.self) + "@\(colon)")
                if reader.consume(0x2C) { continue }
                return reader.consume(0x7D) ? found : nil
            }
        }
    }

    @Test func everyKernelFindsTheSameMembersAsTheReader() {
        let kernels: [RootMemberFinder.Kernel?] = [nil] + ByteClassKernel.available.compactMap(\.structural)
        var rng = SplitMix64(seed: 31)
        var compared = 0
        for original in FrameMutations.frames(count: 200, seed: 13) {
            for round in 0..<20 {
                var line = original
                if round > 0 { FrameMutations.mutate(&line, &rng) }
                let reference = Self.members(line, kernel: nil)
                for kernel in kernels.dropFirst() {
                    #expect(Self.members(line, kernel: kernel) == reference, "\(String(decoding: line, as: UTF8.self))")
                }
                // On a frame the reader accepts, the finder reports its members (up to an escaped key) exactly.
                if let expected = Self.readerMembers(line), line.first == 0x7B {
                    #expect(Array(expected.prefix(reference.count)) == reference)
                    compared += 1
                }
            }
        }
        #expect(compared > 500)
    }
}
