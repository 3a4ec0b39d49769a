import Prometheus

extension PrometheusMetricsFactory {
    /// The factory Tally installs: metric and label names sanitized to Prometheus' alphabet (Hummingbird's own
    /// metrics use dots), latency buckets from 100 µs to 10 s, and batch-size buckets from 1 to 20,000 events.
    public static func tally(registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.nameAndLabelSanitizer = { name, labels in
            (sanitize(name), labels.map { (sanitize($0.0), $0.1) })
        }
        factory.defaultDurationHistogramBuckets = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2),
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(10),
        ]
        factory.defaultValueHistogramBuckets = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000]
        return factory
    }

    private static func sanitize(_ name: String) -> String {
        String(name.map { $0.isLetter && $0.isASCII || $0.isNumber && $0.isASCII || $0 == "_" || $0 == ":" ? $0 : "_" })
    }
}
