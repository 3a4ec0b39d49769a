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
