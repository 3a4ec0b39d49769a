@testable import TallyCore

/// Frames from the brief's generator and random damage to them, for the differential tests of the JSON paths.
enum FrameMutations {
    /// Bytes whose insertion changes a frame's structure.
    static let structuralBytes = Array(#""\{}[],:1e-.tfnu "#.utf8)

    static func frames(count: Int, seed: UInt64) -> [[UInt8]] {
        var generator = FrameGenerator(.init(count: count, rate: 3, users: 50, seed: seed))
        var bytes: [UInt8] = []
        while generator.next(into: &bytes) {}
        return bytes.split(separator: 0x0A).map(Array.init)
    }

    /// One random edit: delete a byte, insert a structural byte, cut the line short, or overwrite a byte.
    static func mutate(_ line: inout [UInt8], _ rng: inout SplitMix64) {
        guard !line.isEmpty else { return }
        let position = Int(rng.next() % UInt64(line.count))
        switch rng.next() % 4 {
        case 0: line.remove(at: position)
        case 1: line.insert(structuralBytes[Int(rng.next() % UInt64(structuralBytes.count))], at: position)
        case 2: line = Array(line.prefix(position))
        default: line[position] = UInt8(truncatingIfNeeded: rng.next())
        }
    }
}
