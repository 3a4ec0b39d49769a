/// How resume arrays are written: exactly the brief's four fields per object, timestamps as
/// `yyyy-MM-dd'T'HH:mm:ss+0000`, and `"revision"` only on corrections.
public enum ResumeOutputFormat: String, Sendable, CaseIterable {
    /// One array per line: `[{…},{…}]`.
    case compact
    /// The brief's own layout: one object per line, continuation lines indented by one space.
    case pretty

    /// Appends `output` as one JSON array and a newline.
    public func write(_ output: ResumeWindowOutput, into bytes: inout [UInt8]) {
        bytes.append(0x5B)
        for (index, point) in output.points.enumerated() {
            if index > 0 {
                bytes.append(0x2C)
                if self == .pretty { bytes.append(contentsOf: [0x0A, 0x20]) }
            }
            bytes.append(contentsOf: #"{"userId":"#.utf8)
            JSONWriter.appendQuoted(output.userId, to: &bytes)
            bytes.append(contentsOf: #","movieId":"#.utf8)
            JSONWriter.appendQuoted(point.movieId, to: &bytes)
            bytes.append(contentsOf: #","position":"#.utf8)
            bytes.append(contentsOf: String(point.position).utf8)
            bytes.append(contentsOf: #","timestamp":""#.utf8)
            ISO8601.format(point.timestamp, style: .numericOffset, into: &bytes)
            bytes.append(0x22)
            if output.revision > 0 {
                bytes.append(contentsOf: #","revision":"#.utf8)
                bytes.append(contentsOf: String(output.revision).utf8)
            }
            bytes.append(0x7D)
        }
        bytes.append(contentsOf: [0x5D, 0x0A])
    }
}
