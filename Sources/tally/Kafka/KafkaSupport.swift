import ArgumentParser
import Logging
import TallyPipeline

#if Kafka
    import TallyKafka
#endif

/// Kafka is a package trait: a default build has no librdkafka, and every Kafka option says so instead of failing
/// obscurely.
enum KafkaSupport {
    static let missingTrait = """
        this tally was built without Kafka support (--disable-default-traits): rebuild it with the Kafka trait \
        (swift build -c release, or --traits Kafka; needs librdkafka-dev)
        """

    /// The publisher for `tally serve --kafka-brokers … --publish …`, nil when neither is given.
    static func publisher(
        brokers: String?, topics: PublishTopics?, deliveryTimeout: Duration, properties: [String: String],
        logger: Logger
    ) throws -> (any EventPublisher)? {
        guard brokers != nil || topics != nil else { return nil }
        #if Kafka
            guard let brokers else { throw ValidationError("--publish needs --kafka-brokers") }
            guard let topics else { throw ValidationError("--kafka-brokers needs --publish heartbeats=TOPIC,watch=TOPIC,ads=TOPIC") }
            // librdkafka retries a delivery for 5 minutes by default; a client waiting for its ack should hear sooner.
            let producer = try KafkaProducer(
                brokers: brokers, properties: ["message.timeout.ms": String(deliveryTimeout.milliseconds)].merging(properties) { $1 })
            logger.info("publishing to Kafka", metadata: ["brokers": "\(brokers)", "topics": "\(topics)"])
            return KafkaEventPublisher(producer: producer, topics: topics)
        #else
            throw ValidationError(missingTrait)
        #endif
    }
}
