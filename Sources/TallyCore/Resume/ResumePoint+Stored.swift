extension ResumePoint {
    /// The points of an array as `ResumeOutputFormat` wrote it (the form a server stores), so that a restart can put
    /// a closed window back and revise it with late heartbeats instead of starting the user's array afresh.
    ///
    /// Timestamps come back at the second the format keeps, and every point's arrival is 0: a restored point loses
    /// a tie to any heartbeat applied after it. Nil when the text is not such an array.
    public static func points(fromStoredArray json: [UInt8]) -> [ResumePoint]? {
        json.withUnsafeBytes { bytes -> [ResumePoint]? in
            var reader = JSONReader(bytes)
            var points: [ResumePoint] = []
            do {
                try reader.readArray { _, reader in
                    var movie: String?
                    var position: Int64?
                    var time: Timestamp?
                    try reader.readObject { key, reader in
                        switch key {
                        case "movieId": movie = try reader.readString()
                        case "position": if case .integer(let value) = try reader.readNumber() { position = value }
                        case "timestamp": time = try? ISO8601.parse(try reader.readString())
                        default: try reader.skipValue()
                        }
                    }
                    guard let movie, let position, let time else { throw reader.error("not a resume point") }
                    points.append(ResumePoint(movieId: movie, position: position, timestamp: time, arrival: 0))
                }
            } catch {
                return nil
            }
            return reader.peek() == nil ? points : nil
        }
    }
}
