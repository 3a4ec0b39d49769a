/// How resume arrays are written: exactly the brief's four fields per object, timestamps as
/// `yyyy-MM-dd'T'HH:mm:ss+0000`, and `"revision"` only on corrections.
public enum ResumeOutputFormat: String, Sendable, CaseIterable {
    /// One array per line: `[{…},{…}]`.
    case compact
    /// The brief's own layout: one object per line, continuation lines indented by one space.
    case pretty

    public func write(_ output: ResumeWindowOutput, into bytes: inout [UInt8]) {
        bytes.append(0x5B)
        for (index, point) in output.points.enumerated() {
            if index > 0 {
                bytes.append(0x2C)
                if self == .pretty { bytes.append(contentsOf: [0x0A, 0x20]) }
            }
            var json = JSONWriter(reservingCapacity: 128)
            json.beginObject()
            json.member("userId", output.userId)
            json.member("movieId", point.movieId)
            json.member("position", point.position)
            json.member("timestamp", ISO8601.format(point.timestamp, style: .numericOffset))
            if output.revision > 0 { json.member("revision", output.revision) }
            json.endObject()
            bytes.append(contentsOf: json.bytes)
        }
        bytes.append(contentsOf: [0x5D, 0x0A])
    }
}
