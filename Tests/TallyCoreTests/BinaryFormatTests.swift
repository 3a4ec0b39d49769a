import Testing

@testable import TallyCore

@Suite("Binary formats")
struct BinaryFormatTests {
    @Test func everyMagicIsFourASCIIBytesAndUnique() {
        let magics = BinaryFormat.allCases.map(\.rawValue)
        #expect(Set(magics).count == magics.count)
        for magic in magics {
            #expect(magic.utf8.count == 4 && magic.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }, "\(magic)")
        }
    }

    @Test func aReaderNamesWhatItExpectedAndWhatItFound() throws {
        var writer = ByteWriter()
        writer.write(format: .hyperLogLog)
        var reader = ByteReader(writer.bytes)
        #expect(throws: ByteReader.Failure(description: "expected a tally count state (TCK4) but found a HyperLogLog sketch (THL1)")) {
            try reader.read(format: .countState)
        }
        var unknown = ByteReader(Array("XYZ9".utf8))
        #expect(throws: ByteReader.Failure(description: "expected a tally count state (TCK4) but found bytes of no format Tally knows")) {
            try unknown.read(format: .countState)
        }
    }

    @Test func anOlderMagicIsReadWhereItIsAccepted() throws {
        var legacy = ByteReader(Array("TCK1".utf8))
        #expect(try legacy.read(format: .kafkaCheckpoint, alsoAccepting: [.kafkaCheckpointLegacy]) == .kafkaCheckpointLegacy)
        var current = ByteReader(Array("TKP1".utf8))
        #expect(try current.read(format: .kafkaCheckpoint, alsoAccepting: [.kafkaCheckpointLegacy]) == .kafkaCheckpoint)
    }
}

@Suite("Varints")
struct VarintTests {
    @Test func everyWidthComesBackAsWritten() throws {
        let unsigned: [UInt64] = [0, 1, 127, 128, 300, 16_383, 16_384, UInt64(UInt32.max), UInt64.max - 1, UInt64.max]
        let signed: [Int64] = [0, -1, 1, -64, 64, 1_635_254_400_123, -1_635_254_400_123, .min, .max]
        var writer = ByteWriter()
        for value in unsigned { writer.write(varint: value) }
        for value in signed { writer.write(zigzag: value) }
        writer.write(compact: "ü\u{0}x")
        writer.write(compactRaw: [1, 2, 3])
        #expect(writer.bytes.prefix(3) == [0, 1, 127])
        var reader = ByteReader(writer.bytes)
        for value in unsigned { #expect(try reader.readVarint() == value) }
        for value in signed { #expect(try reader.readZigzag() == value) }
        #expect(try reader.readCompactString() == "ü\u{0}x")
        #expect(try reader.readCompactRaw() == [1, 2, 3])
        #expect(reader.isAtEnd)
    }

    @Test func overlongAndTruncatedVarintsAreErrors() {
        var overlong = ByteReader([UInt8](repeating: 0xFF, count: 10) + [0x01])
        #expect(throws: ByteReader.Failure.self) { try overlong.readVarint() }
        var tooWide = ByteReader([UInt8](repeating: 0xFF, count: 9) + [0x02])
        #expect(throws: ByteReader.Failure.self) { try tooWide.readVarint() }
        var truncated = ByteReader([0x80, 0x80])
        #expect(throws: ByteReader.Failure.self) { try truncated.readVarint() }
        var longString = ByteReader([0x05, 0x41])
        #expect(throws: ByteReader.Failure.self) { try longString.readCompactString() }
    }
}
