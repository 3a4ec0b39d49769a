/// The one JSON form of each event that Tally writes out (to a Kafka topic): the same members its decoders read,
/// so a consumer (`tally resume --from kafka://…`) decodes what a collector produced, plus the arrival time
/// where it matters.
extension ReceivedEvent {
    /// The event's members plus `receivedAt`, which orders watch events that carry no clock of their own.
    public var canonicalJSON: [UInt8] {
        var json = JSONWriter(reservingCapacity: 160)
        json.beginObject()
        switch event {
        case .heartbeat(let h):
            json.member("userId", h.userId)
            json.member("movieId", h.movieId)
            json.member("duration", h.duration)
            json.member("position", h.position)
            json.member("timestamp", ISO8601.format(h.timestamp, style: .zulu))
        case .watch(let w):
            json.member("user", w.user)
            json.member("slug", w.slug)
            json.member("at", w.at)
        }
        json.member("receivedAt", ISO8601.format(receivedAt, style: .zulu))
        json.endObject()
        return json.bytes
    }

    /// The user the event belongs to: the partitioning key, so one user's events stay in order.
    public var userKey: String {
        switch event {
        case .heartbeat(let h): return h.userId
        case .watch(let w): return w.user
        }
    }
}

extension AdEvent {
    /// `{"timestamp","user","interaction"}`.
    public var canonicalJSON: [UInt8] {
        var json = JSONWriter(reservingCapacity: 96)
        json.beginObject()
        json.member("timestamp", timestamp.millisecondsSinceEpoch)
        json.member("user", user)
        json.member("interaction", interaction.rawValue)
        json.endObject()
        return json.bytes
    }
}
