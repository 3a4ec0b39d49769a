import ArgumentParser

/// What `count` writes for a window: only its final result when the watermark closes it, or also provisional
/// results while it is open, for dashboards that cannot wait for the window's end.
enum EmitMode: Hashable, Sendable, ExpressibleByArgument, CustomStringConvertible {
    case final
    /// Provisional results of open windows every `interval`, then the final one.
    case updates(every: Duration)

    static let defaultUpdateInterval = Duration.seconds(1)

    /// `final`, `updates` (every second) or `updates=INTERVAL` with a positive duration (`500ms`, `5s`).
    init?(argument: String) {
        switch argument {
        case "final": self = .final
        case "updates": self = .updates(every: Self.defaultUpdateInterval)
        default:
            guard argument.hasPrefix("updates="), let interval = DurationArgument(argument: String(argument.dropFirst(8))),
                interval.duration > .zero
            else { return nil }
            self = .updates(every: interval.duration)
        }
    }

    var description: String {
        switch self {
        case .final: "final"
        case .updates(let interval): "updates=\(DurationArgument(interval).defaultValueDescription)"
        }
    }

    static var allValueStrings: [String] { ["final", "updates", "updates=INTERVAL"] }

    /// How often provisional results are written; nil when only final ones are.
    var updateInterval: Duration? {
        switch self {
        case .final: nil
        case .updates(let interval): interval
        }
    }
}
