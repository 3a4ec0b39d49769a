import ArgumentParser
import TallyCore

/// A duration on the command line: `500ms`, `10s`, `5m`, `2h`, `1d` (a bare number is seconds).
struct DurationArgument: ExpressibleByArgument, Hashable, Sendable {
    var duration: Duration

    init(_ duration: Duration) {
        self.duration = duration
    }

    init?(argument: String) {
        let text = argument.lowercased()
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        for (suffix, ms) in units where text.hasSuffix(suffix) {
            guard let value = Int64(text.dropLast(suffix.count)), value >= 0 else { return nil }
            let (milliseconds, overflow) = value.multipliedReportingOverflow(by: ms)
            guard !overflow else { return nil }
            self.duration = .milliseconds(milliseconds)
            return
        }
        guard let seconds = Int64(text), seconds >= 0 else { return nil }
        self.duration = .seconds(seconds)
    }

    /// The shortest exact spelling a user would type: `10s`, `250ms`, `2h`.
    var defaultValueDescription: String {
        let ms = duration.milliseconds
        for (suffix, unit) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1000)] where ms >= unit && ms % unit == 0 {
            return "\(ms / unit)\(suffix)"
        }
        return "\(ms)ms"
    }
}

extension WindowUnit: ExpressibleByArgument {
    /// `minute`, `hour`, … or a length such as `30s`.
    public init?(argument: String) { self.init(argument) }
}

extension LatePolicy: ExpressibleByArgument {}
extension ResumeOutputFormat: ExpressibleByArgument {}

extension FrameFormat: ExpressibleByArgument {}

extension RecordConversion.Payload: ExpressibleByArgument {}
