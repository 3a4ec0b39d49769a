import ArgumentParser
import Logging
import Metrics
import Prometheus
import TallyServer

/// Process-wide logging and metrics set-up, done once at start of a command.
enum Bootstrap {
    static func logging(level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }

    /// Installs a Prometheus registry as the swift-metrics backend and returns it for `/metrics`.
    static func metrics() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory.tally(registry: registry))
        return registry
    }
}

// swift-format-ignore: AvoidRetroactiveConformances
// --log-level parses a swift-log level; neither library can declare this conformance, and no other module does.
extension Logger.Level: @retroactive ExpressibleByArgument {}
