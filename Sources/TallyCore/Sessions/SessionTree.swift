/// Renders a session as the brief's tree: `{"type":"SESSION","start":…,"end":…,"status":…,"children":[…]}`.
///
/// Children are the `EVENT` entries in chronological order (by time in milliseconds, so mixed units sort right);
/// equal times keep arrival order. Each timestamp is written in the unit it was sent in. Events outside
/// `[start, end]` are kept and marked `"outOfRange": true`.
public enum SessionTree {
    /// Appends the session's tree as JSON to `bytes`.
    public static func write(
        header: SessionHeader, events: [SessionEntry], status: SessionHeader.Status, into bytes: inout [UInt8]
    ) {
        let ordered = events.enumerated().sorted { a, b in
            (a.element.milliseconds, a.offset) < (b.element.milliseconds, b.offset)
        }
        let startMs = header.start?.milliseconds
        let endMs = header.end?.milliseconds
        var json = JSONWriter(reservingCapacity: 64 + events.count * 48)
        json.beginObject()
        json.member("type", "SESSION")
        json.key("start")
        if let start = header.start { json.value(start.timestamp) } else { json.null() }
        json.key("end")
        if let end = header.end { json.value(end.timestamp) } else { json.null() }
        json.member("status", status.rawValue)
        json.key("children")
        json.beginArray()
        for (_, entry) in ordered {
            guard case .event(let name) = entry.kind else { continue }
            json.beginObject()
            json.member("type", "EVENT")
            json.member("timestamp", entry.timestamp)
            json.member("name", name)
            let ms = entry.milliseconds
            if let startMs, ms < startMs {
                json.member("outOfRange", true)
            } else if let endMs, ms > endMs {
                json.member("outOfRange", true)
            }
            json.endObject()
        }
        json.endArray()
        json.endObject()
        bytes.append(contentsOf: json.bytes)
    }
}
