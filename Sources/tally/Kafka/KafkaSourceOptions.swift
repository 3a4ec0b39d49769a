import ArgumentParser

/// The options every processor that can read Kafka shares (`tally count`, `tally resume`).
struct KafkaSourceOptions: ParsableArguments {
    @Option(help: "Consume from Kafka instead of files: kafka://HOST:PORT/TOPIC (needs the Kafka trait).")
    var from: String?

    @Option(help: "Consumer group for --from. (default: tally-<command>)")
    var group: String?

    @Option(help: "Publish results to kafka://HOST:PORT/TOPIC instead of --output.")
    var to: String?

    @Option(
        help:
            "With --from: stop (flushing every window, as at end of input) after this long without a record, counted from the first record. (default: run until SIGTERM)"
    )
    var idleExit: DurationArgument?

    @Flag(
        help: "With --from: stop (flushing every window) once every assigned partition is read to its end: a replay of a topic's history.")
    var untilEnd = false

    @Option(help: KafkaSourceOptions.maxSkewSetting.help)
    var maxSkew: DurationArgument?

    @Option(
        help:
            "With --from: this processor's static group membership id. (default: from the group and --checkpoint's path; none without --checkpoint)"
    )
    var instanceId: String?

    @Option(
        name: .customShort("X"),
        help:
            "A librdkafka setting KEY=VALUE for the consumer and producer (repeatable), e.g. -X security.protocol=SASL_SSL -X fetch.max.bytes=104857600."
    )
    var kafkaProperty: [KafkaProperty] = []

    var isKafka: Bool { from != nil || to != nil }

    static let maxSkewSetting = Setting<DurationArgument>.positive(
        "--max-skew", "TALLY_MAX_SKEW",
        "With --from: pause a partition whose event time runs this far ahead of the slowest assigned partition, until the others catch up (watermark alignment).",
        default: .seconds(300))
}
