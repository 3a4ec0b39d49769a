extension ResumeStream {
    /// Serialises the stream's state: the processor's windows and watermark plus the counts of the complete lines it has read (not the input
    /// position, which the caller records next to it).
    public func checkpoint() -> [UInt8] {
        var writer = ByteWriter()
        writer.write(format: .resumeState)
        processor.encode(into: &writer)
        writer.write(invalidLines)
        writer.write(lines)
        writer.write(processedBytes)
        return writer.bytes
    }

    /// Resumes from `checkpoint()` bytes; throws when they are damaged or were made with other options.
    public init(
        configuration: ResumeConfiguration, checkpoint: [UInt8], format: ResumeOutputFormat = .compact,
        strict: Bool = false, limits: InputLimits = .default
    ) throws {
        self.init(configuration: configuration, format: format, strict: strict, limits: limits)
        var reader = ByteReader(checkpoint)
        try reader.read(format: .resumeState)
        processor = try ResumeWindowProcessor(configuration: configuration, from: &reader)
        invalidLines = try reader.readInt()
        let lines = try reader.readInt()
        let bytes = try reader.readInt()
        splitter = LineSplitter(maxLineBytes: splitter.maxLineBytes, lineCount: lines, bytesSeen: bytes)
    }
}
