// libFuzzer target for the frame scanner and the JSON reader (see Fuzz/run.sh).
// Invariants: no crash, no out-of-bounds read (AddressSanitizer), and the fast scan agrees with the validating
// scan whenever the validating scan accepts the frame; skipValue and skipValueValidating agree.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrame(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: count)
    var scratch: [UInt8] = []
    let full = FrameScanner(validate: true).scan(bytes, scratch: &scratch)
    var scratch2: [UInt8] = []
    let fast = FrameScanner().scan(bytes, scratch: &scratch2)
    if case .frame(let user, let time) = full {
        guard case .frame(let fastUser, let fastTime) = fast, time == fastTime,
              user.with(line: bytes, scratch: scratch, { Array($0) }) == fastUser.with(line: bytes, scratch: scratch2, { Array($0) })
        else { fatalError("fast and validating scans disagree") }
    }
    var reader = JSONReader(bytes), validating = JSONReader(bytes)
    let recursive = (try? reader.skipValue()) != nil
    let looped = (try? validating.skipValueValidating()) != nil
    // The one-loop validating skip accepts exactly what the recursive one accepts, and stops at the same byte.
    if recursive != looped || (recursive && reader.offset != validating.offset) { fatalError("skipValue and skipValueValidating disagree") }
    var lines = LineSplitter(maxLineBytes: 64)
    lines.feed(bytes) { _ in }
    return 0
}
