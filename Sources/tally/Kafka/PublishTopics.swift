import ArgumentParser

/// `--publish heartbeats=TOPIC,watch=TOPIC,ads=TOPIC`: which accepted events go to which Kafka topic.
struct PublishTopics: Hashable, Sendable, ExpressibleByArgument {
    var heartbeats: String?
    var watchEvents: String?
    var ads: String?

    init?(argument: String) {
        for pair in argument.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[1].isEmpty else { return nil }
            switch parts[0] {
            case "heartbeats": heartbeats = parts[1]
            case "watch", "events": watchEvents = parts[1]
            case "ads", "analytics": ads = parts[1]
            default: return nil
            }
        }
        if heartbeats == nil, watchEvents == nil, ads == nil { return nil }
    }

    static var defaultValueDescription: String { "heartbeats=TOPIC,watch=TOPIC,ads=TOPIC" }
}

extension PublishTopics: CustomStringConvertible {
    var description: String {
        [("heartbeats", heartbeats), ("watch", watchEvents), ("ads", ads)]
            .compactMap { name, topic in topic.map { "\(name)=\($0)" } }.joined(separator: ",")
    }
}
