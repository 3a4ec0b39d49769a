#if Kafka
    import TallyCore
    import TallyKafka
    import TallyPipeline

    /// Publishes accepted events to their Kafka topics (key: the user id, value: the canonical JSON event) and returns
    /// once the brokers acknowledged every one, so that the writer acknowledges clients only after Kafka has them.
    struct KafkaEventPublisher: EventPublisher {
        let producer: KafkaProducer
        let topics: PublishTopics

        func publish(_ events: [ReceivedEvent], ads: [AdEvent]) async throws {
            var byTopic: [String: [(key: [UInt8]?, value: [UInt8])]] = [:]
            for received in events {
                let topic: String? =
                    switch received.event {
                    case .heartbeat: topics.heartbeats
                    case .watch: topics.watchEvents
                    }
                if let topic { byTopic[topic, default: []].append((Array(received.userKey.utf8), received.canonicalJSON)) }
            }
            if let topic = topics.ads {
                byTopic[topic, default: []] += ads.map { (Array($0.user.utf8), $0.canonicalJSON) }
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (topic, messages) in byTopic {
                    group.addTask { _ = try await producer.send(topic: topic, messages: messages) }
                }
                try await group.waitForAll()
            }
        }

        func close() async {
            producer.close()
        }
    }
#endif
