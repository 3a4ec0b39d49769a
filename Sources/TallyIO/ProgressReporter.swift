#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Progress of a long-running command on stderr: a self-overwriting status line when stderr is a terminal,
/// a structured `key=value` log line every `logInterval` otherwise.
package final class ProgressReporter {
    package let isTerminal: Bool
    private let command: String
    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant
    private var lastReport: ContinuousClock.Instant
    private let interval: Duration
    private var lastLineLength = 0

    package init(command: String, terminalInterval: Duration = .milliseconds(500), logInterval: Duration = .seconds(10)) {
        self.command = command
        isTerminal = isatty(2) != 0
        interval = isatty(2) != 0 ? terminalInterval : logInterval
        started = clock.now
        lastReport = started
    }

    package var elapsed: Duration { clock.now - started }

    /// Seconds since start, as a Double.
    package var elapsedSeconds: Double {
        let e = elapsed.components
        return Double(e.seconds) + Double(e.attoseconds) / 1e18
    }

    /// Reports when the interval has passed; `fields` is only evaluated then.
    package func tick(_ fields: () -> [(String, String)]) {
        let now = clock.now
        guard now - lastReport >= interval else { return }
        lastReport = now
        let values = fields()
        if isTerminal {
            let line = "\(command): " + values.map { "\($0.0) \($0.1)" }.joined(separator: "  ")
            let padding = String(repeating: " ", count: max(0, lastLineLength - line.count))
            lastLineLength = line.count
            Self.writeStderr("\r" + line + padding)
        } else {
            Self.writeStderr(Self.structured(command, "progress", values) + "\n")
        }
    }

    /// The final summary: always printed, as a structured line (after clearing a terminal status line).
    package func summary(_ fields: [(String, String)]) {
        if isTerminal && lastLineLength > 0 { Self.writeStderr("\r" + String(repeating: " ", count: lastLineLength) + "\r") }
        Self.writeStderr(Self.structured(command, "summary", fields) + "\n")
    }

    package static func structured(_ command: String, _ event: String, _ fields: [(String, String)]) -> String {
        "\(command) \(event) " + fields.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
    }

    package static func writeStderr(_ text: String) {
        var text = text
        text.withUTF8 { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
    }

    /// A rate with SI suffix: `1.23M`.
    package static func compact(_ value: Double) -> String {
        switch value {
        case 1e9...: return String(format1: value / 1e9) + "G"
        case 1e6...: return String(format1: value / 1e6) + "M"
        case 1e3...: return String(format1: value / 1e3) + "k"
        default: return String(format1: value)
        }
    }
}

extension String {
    /// One decimal, without Foundation.
    package init(format1 value: Double) {
        let tenths = Int((value * 10).rounded())
        self = "\(tenths / 10).\(abs(tenths % 10))"
    }
}
