// libFuzzer target for the frame scanner and the JSON reader (see Fuzz/run.sh).
// Invariants: no crash, no out-of-bounds read (AddressSanitizer), and the fast scan agrees with the validating
// scan whenever the validating scan accepts the frame; skipValue and skipValueValidating agree; the vectorized
// JSONValidator accepts exactly what the validating skip accepts, and `validate` scans give the slow path's answer.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrame(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: count)
    var scratch = FrameScanner.Scratch()
    let full = FrameScanner(validate: true).scan(bytes, scratch: &scratch)
    var scratch2 = FrameScanner.Scratch()
    let fast = FrameScanner().scan(bytes, scratch: &scratch2)
    var slowScratch: [UInt8] = []
    let slow = FrameScanner(validate: true).scan(bytes, userScratch: &slowScratch, validatingRest: true)
    if full != slow { fatalError("validated scan and the validating skip's scan disagree") }
    if case .frame(let user, let time) = full {
        guard case .frame(let fastUser, let fastTime) = fast, time == fastTime,
              user.with(line: bytes, unescaped: scratch.user, { Array($0) })
                == fastUser.with(line: bytes, unescaped: scratch2.user, { Array($0) })
        else { fatalError("fast and validating scans disagree") }
    }
    var reader = JSONReader(bytes), validating = JSONReader(bytes)
    let recursive = (try? reader.skipValue()) != nil
    let looped = (try? validating.skipValueValidating()) != nil
    // The one-loop validating skip accepts exactly what the recursive one accepts, and stops at the same byte.
    if recursive != looped || (recursive && reader.offset != validating.offset) { fatalError("skipValue and skipValueValidating disagree") }
    // Every byte-class kernel the CPU runs (Swift's SSE2 code, AVX2, AVX-512), reading the input in place.
    for kernel in ByteClassKernel.available {
        var validator = JSONValidator()
        validator.kernel = kernel
        if validator.accepts(bytes) != (looped && validating.peek() == nil) {
            fatalError("JSONValidator and skipValueValidating disagree")
        }
    }
    var lines = LineSplitter(maxLineBytes: 64)
    lines.feed(bytes) { _ in }
    return 0
}

